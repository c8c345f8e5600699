"""Affair commands (A1–A3, A7, A8): one method per verb, plus bulk actions; no business rule
here. The budget, actuals and currencies (A4–A6, A9) are in `application.affair_costs`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

from application.affair_costs import AffairCostCommands, Result, reason_of
from application.affair_invoicing import AffairInvoiceCommands
from application.commands import CommandResult, Outcome
from application.errors import NotAssigned
from application.journal import CommandContext, ResultValue
from domain.affair import ActionKind, Affair, AlertPolicy, SaleType
from domain.budget import Baseline
from domain.errors import DomainError, InvalidInput, NotFound
from domain.stages import DEFAULT_LADDER, Risk, RiskFactors, Stage, StageLadder
from domain.values import Money

if TYPE_CHECKING:
    from application.app import Comptoir


@dataclass(frozen=True)
class RecordActionItem:
    """Bulk action (A8): record the same task, appointment, note or e-mail on each affair."""

    kind: ActionKind | str
    subject: str
    assignee: str
    due: date | None = None
    body: str = ""


@dataclass(frozen=True)
class ReassignItem:
    """Bulk action (A3, A8): hand each affair to `salesperson`; the reason is the command's."""

    salesperson: str


BulkAction = RecordActionItem | ReassignItem


@dataclass(frozen=True)
class BulkItemOutcome:
    """What one affair of a bulk action became: recorded, or refused with an error code."""

    affair_id: UUID
    ok: bool
    version: int | None = None
    position: int | None = None
    result: Mapping[str, ResultValue] = field(default_factory=dict)
    replayed: bool = False
    error: DomainError | None = None


def check_assignable(ctx: CommandContext, salesperson: str | None, document: str) -> None:
    """A salesperson without the manager role drafts and opens work for themselves only:
    managers assign work to others (the seeds' "assignez la tâche à … vos vendeurs")."""
    if ctx.owner_only and salesperson is not None and salesperson != ctx.actor:
        raise NotAssigned(
            f"a salesperson opens a {document} for themselves, not for {salesperson}; "
            "a manager can assign it to another salesperson"
        )


class AffairCommands(AffairCostCommands, AffairInvoiceCommands):
    """Use cases of the Affair aggregate; its budget and actuals are in `AffairCostCommands`,
    its time and materials invoices in `AffairInvoiceCommands`."""

    # --- reads ---------------------------------------------------------------------

    def get(self, affair_id: UUID, version: int | None = None) -> Affair:
        """The affair as it stands now, or as it stood at `version`."""
        affair = self.runner.load(Affair, affair_id)
        if version is None or version == affair.version:
            return affair
        return self.runner.load_version(Affair, affair_id, version)

    def get_baseline(self, affair_id: UUID, number: int) -> Baseline:
        """Budget baseline `number` exactly as it was frozen."""
        baseline = self.runner.load(Affair, affair_id).baselines.get(str(number))
        if baseline is None:
            raise NotFound(f"affair {affair_id} has no budget baseline {number}")
        return baseline

    @property
    def risk_factors(self) -> RiskFactors:
        """The company's risk factors, configured in its policies."""
        app = cast("Comptoir", self.runner.app)
        return app.policies.risk_factors

    def weighted_amount(self, affair: Affair) -> Money:
        """The affair's weighted amount under the company's risk factors (V1)."""
        return affair.weighted_amount(self.risk_factors)

    # --- A1, A2 opening, opportunity fields and stages ------------------------------

    def open(
        self,
        ctx: CommandContext,
        *,
        name: str,
        salesperson: str,
        currency: str,
        expected_amount: Decimal,
        sale_type: SaleType | str,
        customer_id: UUID | None = None,
        prospect: str | None = None,
        expected_close: date | None = None,
        zone: str = "",
        country: str = "",
        risk: Risk | str = Risk.MEDIUM,
        competitors: Sequence[str] = (),
        start: date | None = None,
        end: date | None = None,
        alert_policy: AlertPolicy | str = AlertPolicy.INFORMATIVE,
        stages: Sequence[Stage] | None = None,
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "name": name,
            "customer_id": customer_id,
            "prospect": prospect,
            "salesperson": salesperson,
            "currency": currency,
            "expected_amount": expected_amount,
            "expected_close": expected_close,
            "zone": zone,
            "country": country,
            "sale_type": sale_type,
            "risk": risk,
            "competitors": list(competitors),
            "start": start,
            "end": end,
            "alert_policy": alert_policy,
        }

        def build() -> Outcome:
            ladder = DEFAULT_LADDER if stages is None else StageLadder(tuple(stages))
            return Outcome([Affair.open(ctx.at, ladder=ladder, **fields)])

        check_assignable(ctx, salesperson, "affair")
        payload = {**fields, "stages": None if stages is None else list(stages)}
        return self.runner.run(ctx, "affair.open", payload, build)

    def update_opportunity(
        self, ctx: CommandContext, affair_id: UUID, changes: dict[str, Any]
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "update_opportunity",
            changes,
            lambda a: a.update_opportunity(ctx.at, **changes),
        )

    def move_to_stage(self, ctx: CommandContext, affair_id: UUID, stage: str) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "move_to_stage",
            {"stage": stage},
            lambda a: a.move_to_stage(ctx.at, stage),
        )

    def lose(self, ctx: CommandContext, affair_id: UUID) -> CommandResult:
        """Mark the affair lost; the command's reason is the reason it was lost."""
        reason = reason_of(ctx)
        return self._verb(
            ctx, affair_id, "lose", {"reason": reason}, lambda a: a.lose(ctx.at, reason)
        )

    def reopen(
        self, ctx: CommandContext, affair_id: UUID, stage: str | None = None
    ) -> CommandResult:
        """Reopen a lost affair, at `stage` or the stage it was lost from."""
        reason = reason_of(ctx)
        return self._verb(
            ctx,
            affair_id,
            "reopen",
            {"reason": reason, "stage": stage},
            lambda a: a.reopen(ctx.at, reason, stage),
        )

    # --- A3 reassignment ---------------------------------------------------------------

    def reassign(self, ctx: CommandContext, affair_id: UUID, salesperson: str) -> CommandResult:
        """Hand the affair to another salesperson, for the command's reason."""
        reason = reason_of(ctx)
        return self._verb(
            ctx,
            affair_id,
            "reassign",
            {"salesperson": salesperson, "reason": reason},
            lambda a: a.reassign(ctx.at, salesperson, reason),
        )

    # --- A7 progress --------------------------------------------------------------------

    def report_progress(
        self, ctx: CommandContext, affair_id: UUID, percent: Decimal
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "report_progress",
            {"percent": percent},
            lambda a: a.report_progress(ctx.at, percent),
        )

    # --- A8 actions ---------------------------------------------------------------------

    def record_action(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        *,
        kind: ActionKind | str,
        subject: str,
        assignee: str,
        due: date | None = None,
        body: str = "",
    ) -> CommandResult:
        """Record a task, appointment, note or e-mail; the result holds its action id."""
        fields: dict[str, Any] = {
            "kind": kind,
            "subject": subject,
            "due": due,
            "assignee": assignee,
            "body": body,
        }

        def verb(affair: Affair) -> Result:
            return {"action_id": str(affair.record_action(ctx.at, **fields))}

        return self._verb(ctx, affair_id, "record_action", fields, verb)

    def complete_action(
        self, ctx: CommandContext, affair_id: UUID, action_id: UUID
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "complete_action",
            {"action_id": action_id},
            lambda a: a.complete_action(ctx.at, action_id),
        )

    def bulk_action(
        self, ctx: CommandContext, affair_ids: Sequence[UUID], action: BulkAction
    ) -> list[BulkItemOutcome]:
        """Apply `action` to each affair as its own command; one refusal never stops the rest.

        Each item is all-or-nothing with its own journal row; an idempotency key, when
        given, becomes `key:affair_id` per item so a retried bulk replays each item.
        """
        if len(set(affair_ids)) != len(affair_ids):
            raise InvalidInput("each affair may appear only once in a bulk action")
        if ctx.expected_version is not None:
            raise InvalidInput("an expected version cannot apply to many affairs")
        outcomes = []
        for affair_id in affair_ids:
            key = ctx.idempotency_key
            item_ctx = replace(
                ctx,
                idempotency_key=None if key is None else f"{key}:{affair_id}",
                command_id=uuid4(),
            )
            try:
                done = self._bulk_item(item_ctx, affair_id, action)
            except DomainError as error:
                outcomes.append(BulkItemOutcome(affair_id, ok=False, error=error))
                continue
            outcomes.append(
                BulkItemOutcome(
                    affair_id, True, done.version, done.position, done.result, done.replayed
                )
            )
        return outcomes

    def _bulk_item(self, ctx: CommandContext, affair_id: UUID, action: BulkAction) -> CommandResult:
        if isinstance(action, ReassignItem):
            return self.reassign(ctx, affair_id, action.salesperson)
        return self.record_action(
            ctx,
            affair_id,
            kind=action.kind,
            subject=action.subject,
            assignee=action.assignee,
            due=action.due,
            body=action.body,
        )
