"""Affair budget and actuals (A4–A6) and currencies (A9), and the common path of every
affair verb: load, call one verb, save. No business rule here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext, ResultValue
from domain.affair import Affair
from domain.budget import BudgetCategory, RevenueKind

Result = Mapping[str, ResultValue] | None


class AffairVerbs:
    """The common path: load the affair, call one verb, record the command."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def _verb(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        name: str,
        payload: dict[str, Any],
        verb: Callable[[Affair], Result],
    ) -> CommandResult:
        def build() -> Outcome:
            affair = self.runner.load(Affair, affair_id, ctx)
            result = verb(affair)
            return Outcome([affair], result or {})

        return self.runner.run(ctx, f"affair.{name}", {"affair_id": affair_id, **payload}, build)


class AffairCostCommands(AffairVerbs):
    """Use cases of the affair's budget, actuals and currencies."""

    # --- A4 budget ---------------------------------------------------------------------

    def set_budget(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        category: BudgetCategory | str,
        amount: Decimal,
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "set_budget",
            {"category": category, "amount": amount},
            lambda a: a.set_budget(ctx.at, category, amount),
        )

    def baseline(self, ctx: CommandContext, affair_id: UUID) -> CommandResult:
        """Freeze the current budget as the next baseline; the reason is the command's."""
        reason = reason_of(ctx)

        def verb(affair: Affair) -> Result:
            return {"baseline": affair.baseline(ctx.at, reason)}

        return self._verb(ctx, affair_id, "baseline", {"reason": reason}, verb)

    # --- A5 actuals and A6 alerts --------------------------------------------------------

    def set_employee_rate(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        *,
        employee: str,
        rate: Decimal,
        valid_from: date,
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "set_employee_rate",
            {"employee": employee, "rate": rate, "valid_from": valid_from},
            lambda a: a.set_employee_rate(ctx.at, employee, rate, valid_from),
        )

    def log_time(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        *,
        employee: str,
        day: date,
        hours: Decimal,
        hourly_rate: Decimal | None = None,
        billable: bool = True,
    ) -> CommandResult:
        """Log hours; the result names any alert the entry raised."""
        fields: dict[str, Any] = {
            "employee": employee,
            "day": day,
            "hours": hours,
            "hourly_rate": hourly_rate,
            "billable": billable,
        }
        return self._verb(
            ctx, affair_id, "log_time", fields, _alerting(lambda a: a.log_time(ctx.at, **fields))
        )

    def record_cost(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        *,
        category: BudgetCategory | str,
        amount: Decimal,
        document_ref: str,
        document_date: date,
        committed: bool = False,
    ) -> CommandResult:
        """Record a received or committed cost; the result names any alert it raised."""
        fields: dict[str, Any] = {
            "category": category,
            "amount": amount,
            "document_ref": document_ref,
            "document_date": document_date,
            "committed": committed,
        }
        return self._verb(
            ctx,
            affair_id,
            "record_cost",
            fields,
            _alerting(lambda a: a.record_cost(ctx.at, **fields)),
        )

    def receive_committed(
        self, ctx: CommandContext, affair_id: UUID, document_ref: str
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "receive_committed",
            {"document_ref": document_ref},
            lambda a: a.receive_committed(ctx.at, document_ref),
        )

    def record_revenue(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        *,
        kind: RevenueKind | str,
        amount: Decimal,
        document_ref: str,
        document_date: date,
    ) -> CommandResult:
        """Record revenue ordered or invoiced; the result names any alert it raised."""
        fields: dict[str, Any] = {
            "kind": kind,
            "amount": amount,
            "document_ref": document_ref,
            "document_date": document_date,
        }
        return self._verb(
            ctx,
            affair_id,
            "record_revenue",
            fields,
            _alerting(lambda a: a.record_revenue(ctx.at, **fields)),
        )

    def close_alert(
        self, ctx: CommandContext, affair_id: UUID, alert_id: UUID, note: str = ""
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "close_alert",
            {"alert_id": alert_id, "note": note},
            lambda a: a.close_alert(ctx.at, alert_id, note),
        )

    # --- A9 second currency ----------------------------------------------------------------

    def set_second_currency(
        self, ctx: CommandContext, affair_id: UUID, currency: str, rate: Decimal
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "set_second_currency",
            {"currency": currency, "rate": rate},
            lambda a: a.set_second_currency(ctx.at, currency, rate),
        )

    def set_rate(
        self, ctx: CommandContext, affair_id: UUID, zone: str, rate: Decimal
    ) -> CommandResult:
        return self._verb(
            ctx,
            affair_id,
            "set_rate",
            {"zone": zone, "rate": rate},
            lambda a: a.set_rate(ctx.at, zone, rate),
        )


def reason_of(ctx: CommandContext) -> str:
    # The domain refuses an empty reason; None reaches it as "" for the same refusal.
    return ctx.reason or ""


def _alerting(verb: Callable[[Affair], object]) -> Callable[[Affair], Result]:
    """Run `verb` and report the ids of the alerts it raised, if any."""

    def run(affair: Affair) -> Result:
        before = set(affair.alerts)
        verb(affair)
        raised = [key for key in affair.alerts if key not in before]
        return {"alert_ids": raised}

    return run
