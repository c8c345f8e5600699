"""Notices: raise them once (scheduled jobs), acknowledge them (people)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.notice import Notice, NoticeKind, notice_id


class NoticeCommands:
    """Use cases of notices."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def get(self, notice: UUID) -> Notice:
        return self.runner.load(Notice, notice)

    def raise_once(
        self,
        ctx: CommandContext,
        *,
        kind: NoticeKind,
        document_id: UUID,
        subject: str,
        due: date,
        message: str,
    ) -> CommandResult | None:
        """Raise the notice unless it already exists; None when it did."""
        if notice_id(kind, document_id, subject, due) in self.runner.app.repository:
            return None
        payload = {"kind": kind, "document_id": document_id, "subject": subject, "due": due}

        def build() -> Outcome:
            notice = Notice.raise_notice(
                at=ctx.at,
                kind=kind,
                document_id=document_id,
                subject=subject,
                due=due,
                message=message,
            )
            return Outcome([notice])

        return self.runner.run(ctx, "notice.raise", payload, build)

    def acknowledge(self, ctx: CommandContext, notice: UUID) -> CommandResult:
        def build() -> Outcome:
            found = self.runner.load(Notice, notice, ctx)
            found.acknowledge(at=ctx.at, by=ctx.actor)
            return Outcome([found])

        return self.runner.run(ctx, "notice.acknowledge", {"notice_id": notice}, build)
