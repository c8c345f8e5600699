"""The Affair aggregate: a deal or project followed from pre-sales to delivery (A1–A9).

Stage ladder and pipeline maths live in `domain.stages`; budget lines, actuals and
the budget-versus-actual maths in `domain.budget`. Each public verb checks the rules
and raises a named error, then triggers one private `@event` method that only mutates.

Alerts (A6): a document cost, revenue or time entry whose date falls outside the
affair's [start, end] period (either bound optional), or a purchase that would take
purchases' actual + committed above a purchases budget line (only once such a line
exists), is refused when the policy is blocking (`DateOutsideAffairPeriod` is checked
before `BudgetExceeded`) and recorded with one `AlertRaised` per issue when informative.

Second currency (A9): a rate r means 1 unit of the affair's currency = r units of the
second currency; the affair's zone rate, when one is set, wins over the default rate.

Actuals (A5) are kept as running totals and bounded summaries (per-employee labour,
counts of entries), never as lists of entries: an affair may log thousands of hours, and
its state, hence its snapshot, must stay small for loads to stay fast. Each entry stays
in its event (`TimeLogged`, `CostRecorded`, `CommittedCostReceived`, `RevenueRecorded`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.affair_alerts import Issues, budget_issues, date_issues
from domain.affair_fields import (
    CHOICE_FIELDS,
    EDITABLE_FIELDS,
    TRANSITIONS,
    ActionKind,
    AffairStatus,
    AlertKind,
    AlertPolicy,
    SaleType,
    aware,
    bounded,
    check_conversions,
    check_period,
    checked_field,
    choice,
    positive,
    text,
)
from domain.affair_invoicing import (
    AffairEntry,
    InvoicedDocument,
    SalePrices,
    check_invoiceable,
    entry_lines,
)
from domain.affair_readings import AffairReadings, fold_v1_entries
from domain.budget import (
    COST_CATEGORIES,
    DOCUMENT_COST_CATEGORIES,
    Baseline,
    BudgetCategory,
    CostEntry,
    HourlyRate,
    LabourSummary,
    RevenueEntry,
    RevenueKind,
    rate_in_force,
    with_rate,
)
from domain.errors import (
    AffairHasNoCustomer,
    CurrencyNotConfigured,
    DuplicateCommittedCost,
    InvalidInput,
    InvalidProgress,
    InvalidTransition,
    MissingHourlyRate,
    RevenueBelowZero,
    UnknownAction,
    UnknownAlert,
    UnknownCommittedCost,
)
from domain.invoice_lines import InvoiceLine
from domain.stages import (
    DEFAULT_LADDER,
    LOST,
    Risk,
    StageEntry,
    StageLadder,
)
from domain.values import (
    HUNDRED,
    MONEY_CONTEXT,
    ZERO,
    check_currency,
    check_finite,
    round_money,
)


@dataclass(frozen=True)
class Reassignment:
    """The affair passed from `previous` to `salesperson` at `at`, for a reason."""

    at: datetime
    previous: str
    salesperson: str
    reason: str


@dataclass(frozen=True)
class Alert:
    """A budget or date alert raised on the affair; closed once acknowledged."""

    alert_id: UUID
    kind: AlertKind
    raised_at: datetime
    message: str
    document_ref: str
    closed_at: datetime | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", AlertKind(self.kind))


@dataclass(frozen=True)
class Action:
    """A task, appointment, note or e-mail linked to the affair."""

    action_id: UUID
    kind: ActionKind
    subject: str
    due: date | None
    assignee: str
    body: str
    recorded_at: datetime
    completed_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ActionKind(self.kind))


class Affair(AffairReadings, Aggregate):
    """A deal or project with its stage, budget, actuals, alerts and actions."""

    # v2 keeps per-employee labour and counts in place of every time, cost and revenue
    # entry; `upcast_v1_v2` converts the snapshots of v1. v3 records the entries each time
    # and materials invoice took (`invoiced_entries`); `upcast_v2_v3` starts it empty.
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Fold a v1 snapshot's lists of entries into the v2 summaries."""
        fold_v1_entries(state)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A v2 snapshot's affair has invoiced no entry."""
        state["invoiced_entries"] = {}

    # --- A1 opening and opportunity fields --------------------------------------

    @classmethod
    def open(
        cls,
        at: datetime,
        *,
        name: str,
        customer_id: UUID | None,
        prospect: str | None,
        salesperson: str,
        currency: str,
        expected_amount: Decimal,
        expected_close: date | None,
        zone: str,
        country: str,
        sale_type: SaleType | str,
        risk: Risk | str,
        competitors: list[str],
        ladder: StageLadder = DEFAULT_LADDER,
        start: date | None = None,
        end: date | None = None,
        alert_policy: AlertPolicy | str = AlertPolicy.INFORMATIVE,
    ) -> Affair:
        """Open an affair at the first stage of its ladder."""
        if customer_id is None and not (prospect and prospect.strip()):
            raise InvalidInput("an affair needs a customer or a prospect name")
        check_period(start, end)
        check_currency(currency)
        return cls(
            at=aware(at),
            name=text(name, "name"),
            customer_id=customer_id,
            prospect=prospect,
            salesperson=text(salesperson, "salesperson"),
            currency=currency,
            expected_amount=round_money(bounded(expected_amount, "expected_amount"), currency),
            expected_close=expected_close,
            zone=zone,
            country=country,
            sale_type=choice(SaleType, sale_type, "sale type"),
            risk=choice(Risk, risk, "risk"),
            competitors=[text(c, "competitor") for c in competitors],
            ladder=ladder,
            start=start,
            end=end,
            alert_policy=choice(AlertPolicy, alert_policy, "alert policy"),
        )

    @event("Opened")
    def __init__(
        self,
        at: datetime,
        name: str,
        customer_id: UUID | None,
        prospect: str | None,
        salesperson: str,
        currency: str,
        expected_amount: Decimal,
        expected_close: date | None,
        zone: str,
        country: str,
        sale_type: SaleType,
        risk: Risk,
        competitors: list[str],
        ladder: StageLadder,
        start: date | None,
        end: date | None,
        alert_policy: AlertPolicy,
    ) -> None:
        self.opened_at = at
        self.name = name
        self.customer_id = customer_id
        self.prospect = prospect
        self.salesperson = salesperson
        self.currency = currency
        self.expected_amount = expected_amount
        self.expected_close = expected_close
        self.zone = zone
        self.country = country
        self.sale_type = SaleType(sale_type)
        self.risk = Risk(risk)
        self.competitors = list(competitors)
        self.ladder = ladder
        self.start = start
        self.end = end
        self.alert_policy = AlertPolicy(alert_policy)
        self.stage = ladder.first
        self.stage_history = [StageEntry(ladder.first, at)]
        self.lost_reason: str | None = None
        self.reassignments: list[Reassignment] = []
        self.budget: dict[str, Decimal] = {}
        self.baselines: dict[str, Baseline] = {}
        zero = round_money(ZERO, currency)
        self.actual: dict[str, Decimal] = {str(c): zero for c in COST_CATEGORIES}
        self.committed: dict[str, Decimal] = {str(c): zero for c in COST_CATEGORIES}
        self.committed_costs: dict[str, CostEntry] = {}
        self.hourly_rates: dict[str, list[HourlyRate]] = {}
        self.revenue: dict[str, Decimal] = {str(k): zero for k in RevenueKind}
        self.labour: dict[str, LabourSummary] = {}
        self.time_entry_count = 0
        self.cost_count = 0  # received costs, a committed one once it is received
        self.revenue_entry_count = 0
        self.invoiced_entries: dict[str, str] = {}  # entry id → the invoice's number
        self.progress = ZERO
        self.alerts: dict[str, Alert] = {}
        self.actions: dict[str, Action] = {}
        self.second_currency: str | None = None
        self.second_rate: Decimal | None = None
        self.zone_rates: dict[str, Decimal] = {}

    def update_opportunity(self, at: datetime, **fields: Any) -> None:
        """Change opportunity fields; records only the fields whose value changes."""
        self._allow("updated")
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            if name not in EDITABLE_FIELDS:
                raise InvalidInput(f"{name!r} is not an editable opportunity field")
            changes[name] = checked_field(self, name, value)
        customer = changes.get("customer_id", self.customer_id)
        prospect = changes.get("prospect", self.prospect)
        if customer is None and not (prospect and prospect.strip()):
            raise InvalidInput("an affair needs a customer or a prospect name")
        check_period(changes.get("start", self.start), changes.get("end", self.end))
        changes = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if changes:
            self._update_opportunity(aware(at), changes)

    @event("OpportunityUpdated")
    def _update_opportunity(self, at: datetime, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name in CHOICE_FIELDS:
                setattr(self, name, CHOICE_FIELDS[name](value))
            elif name == "competitors":
                setattr(self, name, list(value))
            else:
                setattr(self, name, value)

    # --- A2 stages ----------------------------------------------------------------

    def move_to_stage(self, at: datetime, code: str) -> None:
        """Move forward or back on the ladder; moving to the current stage records nothing."""
        self._allow("moved")
        self.ladder.stage(code)
        if code != self.stage:
            self._move(aware(at), code)

    @event("StageChanged")
    def _move(self, at: datetime, code: str) -> None:
        self.stage = code
        self.stage_history.append(StageEntry(code, at))

    def lose(self, at: datetime, reason: str) -> None:
        """Mark an open affair lost, with a reason."""
        self._allow("lost")
        self._lose(aware(at), text(reason, "reason"))

    @event("Lost")
    def _lose(self, at: datetime, reason: str) -> None:
        self.stage = LOST
        self.lost_reason = reason
        self.stage_history.append(StageEntry(LOST, at))

    def reopen(self, at: datetime, reason: str, stage: str | None = None) -> None:
        """Reopen a lost affair at `stage`, by default the stage it was lost from."""
        self._allow("reopened")
        code = self.stage_history[-2].code if stage is None else stage
        self.ladder.stage(code)
        self._reopen(aware(at), text(reason, "reason"), code)

    @event("Reopened")
    def _reopen(self, at: datetime, reason: str, code: str) -> None:
        self.stage = code
        self.lost_reason = None
        self.stage_history.append(StageEntry(code, at))

    # --- A3 reassignment ------------------------------------------------------------

    def reassign(self, at: datetime, salesperson: str, reason: str) -> None:
        """Hand the affair to another salesperson; the same one records nothing."""
        self._allow("reassigned")
        text(salesperson, "salesperson")
        text(reason, "reason")
        if salesperson != self.salesperson:
            self._reassign(aware(at), salesperson, self.salesperson, reason)

    @event("Reassigned")
    def _reassign(self, at: datetime, salesperson: str, previous: str, reason: str) -> None:
        self.reassignments.append(Reassignment(at, previous, salesperson, reason))
        self.salesperson = salesperson

    # --- A4 budget lines and baselines -----------------------------------------------

    def set_budget(self, at: datetime, category: BudgetCategory | str, amount: Decimal) -> None:
        """Set the current budget of a category (rounded half-up to the currency)."""
        self._allow("budgeted")
        kind = choice(BudgetCategory, category, "budget category")
        rounded = round_money(bounded(amount, "amount"), self.currency)
        self._set_budget(aware(at), kind, rounded)

    @event("BudgetLineSet")
    def _set_budget(self, at: datetime, category: BudgetCategory, amount: Decimal) -> None:
        self.budget[str(category)] = amount

    def baseline(self, at: datetime, reason: str) -> int:
        """Freeze the current budget as the next baseline; returns its number."""
        self._allow("baselined")
        number = len(self.baselines) + 1
        self._baseline(aware(at), number, text(reason, "reason"), dict(self.budget))
        return number

    @event("BudgetBaselined")
    def _baseline(
        self, at: datetime, number: int, reason: str, amounts: dict[str, Decimal]
    ) -> None:
        self.baselines[str(number)] = Baseline(number, at, reason, dict(amounts))

    # --- A5 actuals -------------------------------------------------------------------

    def set_employee_rate(
        self, at: datetime, employee: str, rate: Decimal, valid_from: date
    ) -> None:
        """Record an employee's hourly rate from a day on (replaces one from that day)."""
        bounds.unit_price(check_finite(rate, "hourly rate"), "rate")
        self._set_employee_rate(aware(at), text(employee, "employee"), rate, valid_from)

    @event("HourlyRateChanged")
    def _set_employee_rate(
        self, at: datetime, employee: str, rate: Decimal, valid_from: date
    ) -> None:
        with_rate(self.hourly_rates.setdefault(employee, []), HourlyRate(valid_from, rate))

    def log_time(
        self,
        at: datetime,
        employee: str,
        day: date,
        hours: Decimal,
        hourly_rate: Decimal | None = None,
        billable: bool = True,
    ) -> None:
        """Log hours; labour cost = hours × rate (given, else the rate in force that day)."""
        text(employee, "employee")
        if positive(hours, "hours") > 24:
            raise InvalidInput(f"a time entry cannot exceed 24 hours, got {hours}")
        if hourly_rate is None:
            hourly_rate = rate_in_force(self.hourly_rates.get(employee, []), day)
            if hourly_rate is None:
                raise MissingHourlyRate(f"no hourly rate for {employee} on {day}")
        bounds.quantity(hours, "hours")
        bounds.unit_price(check_finite(hourly_rate, "hourly rate"), "hourly_rate")
        issues = self._date_issues(day, f"time entry of {employee}")
        cost = round_money(MONEY_CONTEXT.multiply(hours, hourly_rate), self.currency)
        self._check_sum(self.actual[BudgetCategory.LABOUR], cost, "labour cost")
        self._log_time(aware(at), employee, day, hours, hourly_rate, cost, billable)
        self._raise_alerts(at, issues, f"time:{employee}:{day.isoformat()}")

    class TimeLogged(Aggregate.Event):
        """Hours logged; v2 added `billable` (v1 entries were all billable)."""

        class_version = 2

        at: datetime
        employee: str
        day: date
        hours: Decimal
        hourly_rate: Decimal
        cost: Decimal
        billable: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["billable"] = True

    @event(TimeLogged)
    def _log_time(
        self,
        at: datetime,
        employee: str,
        day: date,
        hours: Decimal,
        hourly_rate: Decimal,
        cost: Decimal,
        billable: bool,
    ) -> None:
        self.labour[employee] = self.labour.get(employee, LabourSummary()).logged(
            hours, cost, billable
        )
        self.time_entry_count += 1
        self.actual[BudgetCategory.LABOUR] += cost

    def record_cost(
        self,
        at: datetime,
        category: BudgetCategory | str,
        amount: Decimal,
        document_ref: str,
        document_date: date,
        committed: bool = False,
    ) -> None:
        """Record a purchase, subcontracting or expense cost, received or committed."""
        kind = choice(BudgetCategory, category, "cost category")
        if kind not in DOCUMENT_COST_CATEGORIES:
            raise InvalidInput(f"costs of {kind} cannot be recorded from a document")
        rounded = round_money(bounded(amount, "amount"), self.currency)
        text(document_ref, "document reference")
        self._check_sum(self.actual[kind] + self.committed[kind], rounded, f"{kind} cost")
        if committed and document_ref in self.committed_costs:
            raise DuplicateCommittedCost(f"{document_ref} is already committed")
        issues = self._date_issues(document_date, f"document {document_ref}")
        if kind == BudgetCategory.PURCHASES:
            issues += self._budget_issues(rounded)
        entry = CostEntry(kind, rounded, document_ref, document_date, committed)
        self._record_cost(aware(at), entry)
        self._raise_alerts(at, issues, document_ref)

    class CostRecorded(Aggregate.Event):
        """A received or a committed cost from a document."""

        at: datetime
        entry: CostEntry

    @event(CostRecorded)
    def _record_cost(self, at: datetime, entry: CostEntry) -> None:
        if entry.committed:
            self.committed_costs[entry.document_ref] = entry
            self.committed[entry.category] += entry.amount
        else:
            self.cost_count += 1
            self.actual[entry.category] += entry.amount

    def receive_committed(self, at: datetime, document_ref: str) -> None:
        """A committed cost was received: it moves from committed to actual."""
        if document_ref not in self.committed_costs:
            raise UnknownCommittedCost(f"no outstanding committed cost {document_ref!r}")
        self._receive_committed(aware(at), document_ref)

    class CommittedCostReceived(Aggregate.Event):
        """The committed cost of a document was received."""

        at: datetime
        document_ref: str

    @event(CommittedCostReceived)
    def _receive_committed(self, at: datetime, document_ref: str) -> None:
        entry = self.committed_costs.pop(document_ref)
        self.committed[entry.category] -= entry.amount
        self.actual[entry.category] += entry.amount
        self.cost_count += 1

    def record_revenue(
        self,
        at: datetime,
        kind: RevenueKind | str,
        amount: Decimal,
        document_ref: str,
        document_date: date,
    ) -> None:
        """Record revenue ordered or invoiced from a document linked to the affair; a
        negative amount corrects it (an order amended down, a credit note), never taking
        the kind's total below zero, and is never refused for its date (an alert)."""
        check_finite(amount, "amount", allow_negative=True)
        entry = RevenueEntry(
            choice(RevenueKind, kind, "revenue kind"),
            round_money(bounds.amount(amount, "amount"), self.currency),
            text(document_ref, "document reference"),
            document_date,
        )
        self._check_revenue(entry)
        what = f"document {document_ref}"
        issues = self._date_issues(document_date, what, correction=entry.amount < 0)
        self._record_revenue(aware(at), entry)
        self._raise_alerts(at, issues, document_ref)

    def _check_revenue(self, entry: RevenueEntry) -> None:
        total = self.revenue[entry.kind]
        self._check_sum(total, entry.amount, f"{entry.kind} revenue")
        if total + entry.amount < 0:
            raise RevenueBelowZero(
                f"a correction of {entry.amount} would take {entry.kind} revenue of {total} "
                "below zero"
            )

    class RevenueRecorded(Aggregate.Event):
        """Revenue ordered or invoiced from a document."""

        at: datetime
        entry: RevenueEntry

    @event(RevenueRecorded)
    def _record_revenue(self, at: datetime, entry: RevenueEntry) -> None:
        self.revenue_entry_count += 1
        self.revenue[entry.kind] += entry.amount

    # --- A5 time and materials invoices (issue 14) -------------------------------------

    def to_invoice(
        self, entries: Sequence[AffairEntry], prices: SalePrices, issue_date: date
    ) -> list[InvoiceLine]:
        """The lines of an invoice of `entries` dated `issue_date`: the affair names its
        customer, the entries are its own, billable and not invoiced yet, and the date
        is within its period under a blocking policy."""
        if self.customer_id is None:
            raise AffairHasNoCustomer("name the affair's customer before invoicing it")
        check_invoiceable(entries, self.invoiced_entries, self.version)
        self._date_issues(issue_date, "the invoice")
        return entry_lines(entries, prices, self.currency)

    def invoice_entries(
        self,
        at: datetime,
        entries: Sequence[AffairEntry],
        invoice: InvoicedDocument,
    ) -> None:
        """Record the invoice issued for `entries`, once each, and its net as invoiced
        revenue; its date outside the period raises an alert (informative policy)."""
        check_invoiceable(entries, self.invoiced_entries, self.version)
        number = text(invoice.number, "an invoice number")
        revenue = RevenueEntry(
            RevenueKind.INVOICED, round_money(invoice.net, self.currency), number, invoice.day
        )
        self._check_revenue(revenue)
        issues = self._date_issues(invoice.day, f"invoice {number}")
        ids = [entry.entry_id for entry in entries]
        self._invoice_entries(aware(at), invoice.invoice_id, number, invoice.day, ids)
        self._record_revenue(at, revenue)
        self._raise_alerts(at, issues, number)

    class EntriesInvoiced(Aggregate.Event):
        """A time and materials invoice took these entries (ids: the affair's versions)."""

        at: datetime
        invoice_id: UUID
        invoice_number: str
        issue_date: date
        entry_ids: list[int]

    @event(EntriesInvoiced)
    def _invoice_entries(
        self,
        at: datetime,
        invoice_id: UUID,
        invoice_number: str,
        issue_date: date,
        entry_ids: list[int],
    ) -> None:
        for entry_id in entry_ids:
            self.invoiced_entries[str(entry_id)] = invoice_number

    # --- A6 alerts ---------------------------------------------------------------------

    def _date_issues(self, day: date, what: str, *, correction: bool = False) -> Issues:
        policy = self.alert_policy
        return date_issues(self.start, self.end, policy, day, what, correction=correction)

    def _budget_issues(self, amount: Decimal) -> Issues:
        return budget_issues(self.budget, self.actual, self.committed, self.alert_policy, amount)

    def check_document_date(self, at: datetime, day: date, document_ref: str) -> None:
        """A document linked to the affair (a quote attached to it) dated `day`: refused
        outside its period under a blocking policy, an alert under an informative one."""
        issues = self._date_issues(day, f"document {text(document_ref, 'document reference')}")
        self._raise_alerts(aware(at), issues, document_ref)

    def _raise_alerts(self, at: datetime, issues: Issues, document_ref: str) -> None:
        for kind, message in issues:
            self._raise_alert(at, uuid4(), kind, message, document_ref)

    @event("AlertRaised")
    def _raise_alert(
        self, at: datetime, alert_id: UUID, kind: AlertKind, message: str, document_ref: str
    ) -> None:
        self.alerts[str(alert_id)] = Alert(alert_id, kind, at, message, document_ref)

    def close_alert(self, at: datetime, alert_id: UUID, note: str) -> None:
        """Acknowledge and close an open alert."""
        alert = self.alerts.get(str(alert_id))
        if alert is None:
            raise UnknownAlert(f"no alert {alert_id} on this affair")
        if alert.closed_at is not None:
            raise InvalidTransition("alert", "closed", "closed")
        self._close_alert(aware(at), alert_id, note)

    @event("AlertClosed")
    def _close_alert(self, at: datetime, alert_id: UUID, note: str) -> None:
        key = str(alert_id)
        self.alerts[key] = replace(self.alerts[key], closed_at=at, note=note)

    # --- A7 progress and budget maths ---------------------------------------------------

    def report_progress(self, at: datetime, percent: Decimal) -> None:
        """Report the affair's progress, 0–100 percent."""
        if not percent.is_finite() or not ZERO <= percent <= HUNDRED:
            raise InvalidProgress(f"progress must be 0–100 percent, got {percent}")
        bounds.percent(percent, "percent")
        self._report_progress(aware(at), percent)

    @event("ProgressReported")
    def _report_progress(self, at: datetime, percent: Decimal) -> None:
        self.progress = percent

    # --- A8 actions ----------------------------------------------------------------------

    def record_action(
        self,
        at: datetime,
        kind: ActionKind | str,
        subject: str,
        due: date | None,
        assignee: str,
        body: str,
    ) -> UUID:
        """Record a task, appointment, note or e-mail; returns its action id."""
        checked = choice(ActionKind, kind, "action kind")
        action_id = uuid4()
        self._record_action(
            aware(at), action_id, checked, text(subject, "subject"), due, assignee, body
        )
        return action_id

    @event("ActionRecorded")
    def _record_action(
        self,
        at: datetime,
        action_id: UUID,
        kind: ActionKind,
        subject: str,
        due: date | None,
        assignee: str,
        body: str,
    ) -> None:
        action = Action(action_id, kind, subject, due, assignee, body, at)
        self.actions[str(action_id)] = action

    def complete_action(self, at: datetime, action_id: UUID) -> None:
        """Mark an action done."""
        action = self.actions.get(str(action_id))
        if action is None:
            raise UnknownAction(f"no action {action_id} on this affair")
        if action.completed_at is not None:
            raise InvalidTransition("action", "completed", "completed")
        self._complete_action(aware(at), action_id)

    @event("ActionCompleted")
    def _complete_action(self, at: datetime, action_id: UUID) -> None:
        key = str(action_id)
        self.actions[key] = replace(self.actions[key], completed_at=at)

    # --- A9 second currency ---------------------------------------------------------------

    def set_second_currency(self, at: datetime, currency: str, rate: Decimal) -> None:
        """Set the second currency and its default rate; zone rates are cleared."""
        if check_currency(currency) == self.currency:
            raise InvalidInput(f"{currency} is already the affair's currency")
        bounds.exchange_rate(positive(rate, "rate"))
        check_conversions(self.expected_amount, rate)
        self._set_second_currency(aware(at), currency, rate)

    @event("SecondCurrencySet")
    def _set_second_currency(self, at: datetime, currency: str, rate: Decimal) -> None:
        self.second_currency = currency
        self.second_rate = rate
        self.zone_rates = {}

    def set_rate(self, at: datetime, zone: str, rate: Decimal) -> None:
        """Set the conversion rate to the second currency for a zone."""
        if self.second_currency is None:
            raise CurrencyNotConfigured("set a second currency before a zone rate")
        bounds.exchange_rate(positive(rate, "rate"))
        check_conversions(self.expected_amount, rate)
        self._set_rate(aware(at), text(zone, "zone"), rate)

    @event("RateChanged")
    def _set_rate(self, at: datetime, zone: str, rate: Decimal) -> None:
        self.zone_rates[zone] = rate


__all__ = [
    "EDITABLE_FIELDS",
    "TRANSITIONS",
    "Action",
    "ActionKind",
    "Affair",
    "AffairStatus",
    "Alert",
    "AlertKind",
    "AlertPolicy",
    "Reassignment",
    "SaleType",
]
