"""Any sequence of affair commands keeps the invariants, and replay reproduces the state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Snapshot
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.affair import Affair, AlertPolicy
from domain.budget import Baseline, CostEntry
from domain.errors import DomainError
from domain.stages import LOST
from tests.unit.replay import replay, state_of, stored_and_back

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PURCHASES = "purchases"

amounts = st.decimals(min_value=-10, max_value=3000, places=2)
days = st.dates(min_value=date(2024, 11, 1), max_value=date(2026, 2, 28))
refs = st.sampled_from(["PO-1", "PO-2", "PO-3", "INV-1"])
policies = st.sampled_from(["blocking", "informative"])
categories = st.sampled_from(
    ["labour", "purchases", "purchases", "purchases", "subcontracting", "expenses", "sales"]
)
stage_codes = st.sampled_from(["P", "E", "M", "B", "A", "Z"])


class AffairMachine(RuleBasedStateMachine):
    """Drives random verbs against one affair, keeping every event it emits."""

    affair: Affair

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.now = T0
        self.baselines_seen: dict[str, Baseline] = {}
        self.excused = False  # purchases may be over budget for a reason other than a purchase

    @initialize(
        policy=policies,
        bounded=st.booleans(),
        purchase_budget=st.none() | st.decimals(min_value=0, max_value=5000, places=2),
    )
    def open(self, policy: str, bounded: bool, purchase_budget: Decimal | None) -> None:
        self.affair = Affair.open(
            T0,
            name="Machine",
            customer_id=uuid4(),
            prospect=None,
            salesperson="alice",
            currency="EUR",
            expected_amount=Decimal("10000"),
            expected_close=None,
            zone="north",
            country="FR",
            sale_type="product",
            risk="medium",
            competitors=[],
            start=date(2025, 1, 1) if bounded else None,
            end=date(2025, 12, 31) if bounded else None,
            alert_policy=policy,
        )
        if purchase_budget is not None:
            self.affair.set_budget(T0, PURCHASES, purchase_budget)
        self.events.extend(self.affair.collect_events())

    # --- helpers ---------------------------------------------------------------------

    def at(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now

    def attempt(self, command: Callable[[], object]) -> bool:
        """Run a command; a refused one must emit nothing."""
        try:
            command()
        except DomainError:
            assert self.affair.pending_events == []
            return False
        finally:
            self.events.extend(self.affair.collect_events())
        return True

    def purchases_spent(self) -> Decimal:
        return self.affair.actual[PURCHASES] + self.affair.committed[PURCHASES]

    def excuse_if_over(self) -> None:
        budget = self.affair.budget.get(PURCHASES)
        if budget is not None and self.purchases_spent() > budget:
            self.excused = True

    # --- rules -----------------------------------------------------------------------

    @rule(code=stage_codes)
    def move(self, code: str) -> None:
        self.attempt(lambda: self.affair.move_to_stage(self.at(), code))

    @rule(reason=st.sampled_from(["price", ""]))
    def lose(self, reason: str) -> None:
        self.attempt(lambda: self.affair.lose(self.at(), reason))

    @rule(stage=st.sampled_from([None, "E", "A", "Z"]))
    def reopen(self, stage: str | None) -> None:
        self.attempt(lambda: self.affair.reopen(self.at(), "back", stage))

    @rule(salesperson=st.sampled_from(["alice", "bob", ""]))
    def reassign(self, salesperson: str) -> None:
        self.attempt(lambda: self.affair.reassign(self.at(), salesperson, "handover"))

    @rule(policy=policies, risk=st.sampled_from(["low", "high", "extreme"]))
    def update(self, policy: str, risk: str) -> None:
        if self.attempt(
            lambda: self.affair.update_opportunity(self.at(), alert_policy=policy, risk=risk)
        ):
            self.excuse_if_over()

    @rule(category=categories, amount=amounts)
    def set_budget(self, category: str, amount: Decimal) -> None:
        if self.attempt(lambda: self.affair.set_budget(self.at(), category, amount)):
            self.excuse_if_over()

    @rule(reason=st.sampled_from(["revision", ""]))
    def baseline(self, reason: str) -> None:
        before = len(self.affair.baselines)
        if self.attempt(lambda: self.affair.baseline(self.at(), reason)):
            assert len(self.affair.baselines) == before + 1

    @rule(
        employee=st.sampled_from(["bob", "eve"]),
        day=days,
        hours=st.decimals(min_value=-1, max_value=12, places=2),
        rate=st.none() | amounts,
        billable=st.booleans(),
    )
    def log_time(
        self, employee: str, day: date, hours: Decimal, rate: Decimal | None, billable: bool
    ) -> None:
        self.attempt(lambda: self.affair.log_time(self.at(), employee, day, hours, rate, billable))

    @rule(employee=st.sampled_from(["bob", "eve"]), rate=amounts, valid_from=days)
    def set_employee_rate(self, employee: str, rate: Decimal, valid_from: date) -> None:
        self.attempt(lambda: self.affair.set_employee_rate(self.at(), employee, rate, valid_from))

    @rule(
        category=categories,
        amount=amounts,
        ref=refs,
        day=days,
        committed=st.booleans(),
    )
    def record_cost(
        self, category: str, amount: Decimal, ref: str, day: date, committed: bool
    ) -> None:
        guarded = (
            self.affair.alert_policy == AlertPolicy.BLOCKING and PURCHASES in self.affair.budget
        )
        if (
            self.attempt(
                lambda: self.affair.record_cost(self.at(), category, amount, ref, day, committed)
            )
            and not guarded
        ):
            self.excuse_if_over()

    @rule(
        category=st.sampled_from(["purchases", "subcontracting", "expenses"]),
        amount=st.decimals(min_value=0, max_value=500, places=2),
        ref=refs,
    )
    def commit_cost(self, category: str, amount: Decimal, ref: str) -> None:
        """A committed cost in the period: what `receive_committed` then moves to actual."""
        day = date(2025, 6, 2)
        guarded = (
            self.affair.alert_policy == AlertPolicy.BLOCKING and PURCHASES in self.affair.budget
        )
        if (
            self.attempt(
                lambda: self.affair.record_cost(self.at(), category, amount, ref, day, True)
            )
            and not guarded
        ):
            self.excuse_if_over()

    @rule(index=st.integers(min_value=0, max_value=5), outstanding=st.booleans(), ref=refs)
    def receive_committed(self, index: int, outstanding: bool, ref: str) -> None:
        # mostly a cost still committed, so receipts happen; else any reference
        refs = list(self.affair.committed_costs)
        if outstanding and refs:
            ref = refs[index % len(refs)]
        self.attempt(lambda: self.affair.receive_committed(self.at(), ref))

    @rule(kind=st.sampled_from(["ordered", "invoiced", "quoted"]), amount=amounts, day=days)
    def record_revenue(self, kind: str, amount: Decimal, day: date) -> None:
        self.attempt(lambda: self.affair.record_revenue(self.at(), kind, amount, "SO-1", day))

    @rule(percent=st.decimals(min_value=-5, max_value=105, places=1))
    def report_progress(self, percent: Decimal) -> None:
        self.attempt(lambda: self.affair.report_progress(self.at(), percent))

    @rule(index=st.integers(min_value=0, max_value=5))
    def close_alert(self, index: int) -> None:
        ids = [UUID(key) for key in self.affair.alerts] or [uuid4()]
        alert_id = ids[index % len(ids)]
        self.attempt(lambda: self.affair.close_alert(self.at(), alert_id, "seen"))

    @rule(kind=st.sampled_from(["task", "note", "fax"]), due=st.none() | days)
    def record_action(self, kind: str, due: date | None) -> None:
        self.attempt(lambda: self.affair.record_action(self.at(), kind, "call", due, "bob", ""))

    @rule(index=st.integers(min_value=0, max_value=5))
    def complete_action(self, index: int) -> None:
        ids = [UUID(key) for key in self.affair.actions] or [uuid4()]
        action_id = ids[index % len(ids)]
        self.attempt(lambda: self.affair.complete_action(self.at(), action_id))

    @rule(
        currency=st.sampled_from(["USD", "EUR"]),
        rate=st.decimals(min_value=0, max_value=2, places=4),
    )
    def set_second_currency(self, currency: str, rate: Decimal) -> None:
        self.attempt(lambda: self.affair.set_second_currency(self.at(), currency, rate))

    @rule(zone=st.sampled_from(["north", "south"]), rate=st.decimals(0, 2, places=4))
    def set_rate(self, zone: str, rate: Decimal) -> None:
        self.attempt(lambda: self.affair.set_rate(self.at(), zone, rate))

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    def the_stage_is_on_the_ladder_or_lost(self) -> None:
        assert self.affair.stage in [*self.affair.ladder.codes, LOST]
        assert self.affair.stage_history[-1].code == self.affair.stage

    @invariant()
    def progress_stays_between_0_and_100(self) -> None:
        assert Decimal(0) <= self.affair.progress <= Decimal(100)

    @invariant()
    def baselines_never_change_once_made(self) -> None:
        for key, baseline in self.baselines_seen.items():
            assert self.affair.baselines[key] == baseline
        self.baselines_seen = dict(self.affair.baselines)

    @invariant()
    def a_blocking_affair_keeps_purchases_within_their_budget(self) -> None:
        budget = self.affair.budget.get(PURCHASES)
        if budget is None or self.purchases_spent() <= budget:
            self.excused = False
        elif self.affair.alert_policy == AlertPolicy.BLOCKING:
            assert self.excused

    @invariant()
    def totals_and_summaries_match_the_entries_in_the_events(self) -> None:
        """The affair keeps sums, not entries: each sum is the fold of its events."""
        affair = self.affair
        logged = [e for e in self.events if isinstance(e, Affair.TimeLogged)]
        costs = [e.entry for e in self.events if isinstance(e, Affair.CostRecorded)]
        received = [e for e in self.events if isinstance(e, Affair.CommittedCostReceived)]
        revenue = [e.entry for e in self.events if isinstance(e, Affair.RevenueRecorded)]
        assert affair.actual["labour"] == sum((e.cost for e in logged), Decimal(0))
        for employee in {e.employee for e in logged} | set(affair.labour):
            mine = [e for e in logged if e.employee == employee]
            summary = affair.labour[employee]
            assert summary.entries == len(mine)
            assert summary.hours == sum((e.hours for e in mine), Decimal(0))
            assert summary.billable_hours == sum((e.hours for e in mine if e.billable), Decimal(0))
            assert summary.cost == sum((e.cost for e in mine), Decimal(0))
        assert affair.non_billable_hours == sum(
            (e.hours for e in logged if not e.billable), Decimal(0)
        )
        # a receipt moves the latest commitment of its document from committed to actual
        outstanding: dict[str, CostEntry] = {}
        spent = {c: Decimal(0) for c in ("purchases", "subcontracting", "expenses")}
        for event in self.events:
            if isinstance(event, Affair.CostRecorded) and event.entry.committed:
                outstanding[event.entry.document_ref] = event.entry
            elif isinstance(event, Affair.CostRecorded):
                spent[event.entry.category] += event.entry.amount
            elif isinstance(event, Affair.CommittedCostReceived):
                entry = outstanding.pop(event.document_ref)
                spent[entry.category] += entry.amount
        assert affair.committed_costs == outstanding
        for category, actual in spent.items():
            committed = sum(
                (c.amount for c in outstanding.values() if c.category == category), Decimal(0)
            )
            assert (affair.actual[category], affair.committed[category]) == (actual, committed)
        assert affair.time_entry_count == len(logged)
        assert affair.cost_count == len([c for c in costs if not c.committed]) + len(received)
        assert affair.revenue_entry_count == len(revenue)
        for kind in ("ordered", "invoiced"):
            total = sum((r.amount for r in revenue if r.kind == kind), Decimal(0))
            assert affair.revenue[kind] == total

    @invariant()
    def a_snapshot_reads_back_to_the_live_state(self) -> None:
        snapshot = stored_and_back([Snapshot.take(self.affair)])[0]
        assert state_of(snapshot.mutate(None)) == state_of(self.affair)

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        assert state_of(replay(self.events, Affair)) == state_of(self.affair)


AffairMachine.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestAnySequenceOfAffairCommands = AffairMachine.TestCase
