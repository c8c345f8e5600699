"""Dunning (I5): a scheduled job raising one notice per overdue invoice per level reached.

Levels are days after the due date (`Policies.dunning_days`, default +7, +30, +45): level
N is reached on the due date plus its days while the invoice is still overdue. The job's
candidates come from the `invoices` view (overdue on the day); whether a level is due is
decided on the Invoice loaded fresh from the store, so an invoice paid since the view was
last folded raises nothing. A late first run raises every level reached so far, each its
own notice.

Exactly once: a level's notice has an id derived from the invoice, the level and the
day it was reached (`domain.notice.notice_id`), and the command an idempotency key of its
own (`job:dunning:<invoice>:level-<n>`, no day in it): a retried or duplicated run finds
the notice and adds nothing, and of two runs at the same instant only one is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from application.app import Comptoir
from application.errors import Conflict
from application.jobs import JOB_ACTOR, JobReport
from application.journal import CommandContext
from domain.customer import Customer
from domain.errors import DomainError
from domain.invoice import Invoice
from domain.invoice_payments import is_overdue
from domain.notice import NoticeKind, notice_id

JOB = "dunning"


@dataclass(frozen=True)
class DunningLevel:
    """Level `number` (1, 2 …), reached `days` after the due date, on `reached_on`."""

    number: int
    days: int
    reached_on: date

    @property
    def subject(self) -> str:
        return f"level-{self.number}"


def levels(days: Iterable[int]) -> list[int]:
    """The configured days as levels: each once, ascending (level 1 is the soonest)."""
    found = sorted(set(days))
    if not found or found[0] < 1:
        raise ValueError(f"dunning levels are days after the due date, at least 1: {found}")
    return found


def levels_reached(invoice: Invoice, today: date, days: Sequence[int]) -> list[DunningLevel]:
    """The levels an invoice has reached on `today`; none unless it is overdue that day."""
    if not is_overdue(invoice, today):
        return []
    assert invoice.due_date is not None
    due = invoice.due_date
    return [
        DunningLevel(number, after, due + timedelta(days=after))
        for number, after in enumerate(levels(days), start=1)
        if due + timedelta(days=after) <= today
    ]


def dunning_message(invoice: Invoice, customer: str, level: DunningLevel, today: date) -> str:
    """What the notice says: invoice, customer, amount due, days overdue, level."""
    assert invoice.due_date is not None
    late = (today - invoice.due_date).days
    return (
        f"invoice {invoice.number} to {customer}: {invoice.amount_due} {invoice.currency} "
        f"due since {invoice.due_date}, {late} days overdue: dunning level {level.number} "
        f"(+{level.days} days)"
    )


def dunning_context(invoice_id: UUID, level: DunningLevel, now: datetime) -> CommandContext:
    return CommandContext(
        actor=JOB_ACTOR,
        at=now,
        reason=f"scheduled job {JOB}",
        idempotency_key=f"job:{JOB}:{invoice_id}:{level.subject}",
    )


def dun_overdue_invoices(
    app: Comptoir, now: datetime, candidates: Iterable[UUID], days: Sequence[int]
) -> JobReport:
    """Raise a notice, once per level, for every candidate invoice overdue on `now`."""
    report = JobReport(JOB)
    today = now.date()
    for invoice_id in candidates:
        try:
            invoice = app.invoices.get(invoice_id)
            reached = levels_reached(invoice, today, days)
            customer = app.runner.load(Customer, invoice.customer_id).name if reached else ""
        except DomainError as error:
            report.refused.append(f"{invoice_id}: {error}")
            continue
        if not reached:
            report.unchanged += 1
        for level in reached:
            try:
                raised = app.notices.raise_once(
                    dunning_context(invoice_id, level, now),
                    kind=NoticeKind.DUNNING,
                    document_id=invoice_id,
                    subject=level.subject,
                    due=level.reached_on,
                    message=dunning_message(invoice, customer, level, today),
                )
            except Conflict:
                if dunning_notice_id(invoice_id, level) not in app.repository:
                    raise
                raised = None  # a duplicated run recorded it at the same instant
            if raised is None or raised.replayed:
                report.unchanged += 1
            else:
                report.done += 1
    return report


def dunning_notice_id(invoice_id: UUID, level: DunningLevel) -> UUID:
    """The id of the notice of `level` on an invoice."""
    return notice_id(NoticeKind.DUNNING, invoice_id, level.subject, level.reached_on)
