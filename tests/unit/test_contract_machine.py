"""Any sequence of contract commands keeps the billing invariants and replays exactly."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

from domain.contract import BilledPeriod, Contract, ContractKind, ContractLine, ContractStatus
from domain.errors import DomainError
from domain.periods import Frequency
from domain.values import compute_totals
from tests.unit.replay import replay, state_of

ASSETS = [UUID(int=n) for n in range(1, 4)]
prices = st.decimals(min_value=0, max_value=1000, places=2)


class ContractCommands(RuleBasedStateMachine):
    """Drives one contract with random verbs and a clock that only moves forward."""

    contract: Contract

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2027, 1, 10, 9, tzinfo=UTC)
        self.events: list[Any] = []
        self.seen: dict[str, BilledPeriod] = {}
        self.refused = 0

    @initialize(
        frequency=st.sampled_from(list(Frequency)),
        start_offset=st.integers(min_value=0, max_value=60),
        term_days=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
        price=prices,
    )
    def sign(
        self, frequency: Frequency, start_offset: int, term_days: int | None, price: Decimal
    ) -> None:
        start = self.now.date() + timedelta(days=start_offset)
        end = None if term_days is None else start + timedelta(days=term_days)
        self.contract = Contract.sign(
            self.now,
            UUID(int=99),
            "EUR",
            [ContractLine("service", Decimal(1), price, Decimal("20"))],
            frequency,
            start,
            end,
            kind=ContractKind.MAINTENANCE,
        )
        self.events.extend(self.contract.collect_events())

    def attempt(self, command: Callable[[], object]) -> None:
        """Run a command; a refused one must leave no pending event behind."""
        pending = len(self.contract.pending_events)
        try:
            command()
        except DomainError:
            self.refused += 1
            assert len(self.contract.pending_events) == pending
        self.events.extend(self.contract.collect_events())

    @rule(days=st.integers(min_value=0, max_value=45))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule(period=st.integers(min_value=0, max_value=24))
    def bill(self, period: int) -> None:
        suspended = self.contract.status == ContractStatus.SUSPENDED
        before = len(self.events)
        self.attempt(lambda: self.contract.bill(self.now, period, f"INV-{period}"))
        if suspended:
            assert self.events[before:] == []

    @rule()
    def bill_everything_due(self) -> None:
        for period in self.contract.billable_periods(self.now.date()):
            self.contract.bill(self.now, period)
        self.events.extend(self.contract.collect_events())

    @rule(offset=st.integers(min_value=-30, max_value=200), price=prices)
    def amend(self, offset: int, price: Decimal) -> None:
        effective = self.now.date() + timedelta(days=offset)
        lines = [ContractLine("amended", Decimal(2), price, Decimal("5.5"))]
        self.attempt(lambda: self.contract.amend(self.now, effective, "change", lines))

    @rule(days=st.integers(min_value=-30, max_value=400))
    def renew(self, days: int) -> None:
        end = self.contract.end or self.now.date()
        self.attempt(lambda: self.contract.renew(self.now, end + timedelta(days=days), "again"))

    @rule(offset=st.integers(min_value=-60, max_value=200))
    def terminate(self, offset: int) -> None:
        effective = self.now.date() + timedelta(days=offset)
        self.attempt(lambda: self.contract.terminate(self.now, effective, "stop"))

    @rule()
    def suspend(self) -> None:
        self.attempt(lambda: self.contract.suspend(self.now, "pause"))

    @rule()
    def resume(self) -> None:
        self.attempt(lambda: self.contract.resume(self.now))

    @rule(asset=st.sampled_from(ASSETS), cover=st.booleans())
    def change_coverage(self, asset: UUID, cover: bool) -> None:
        verb = self.contract.cover_asset if cover else self.contract.uncover_asset
        self.attempt(lambda: verb(self.now, asset))

    @invariant()
    def each_period_is_billed_at_most_once(self) -> None:
        counts = Counter(
            e.period_index for e in self.events if isinstance(e, Contract.PeriodBilled)
        )
        assert all(count == 1 for count in counts.values())
        assert set(map(str, counts)) == set(self.contract.billed)

    @invariant()
    def billed_amounts_never_change(self) -> None:
        for key, record in self.seen.items():
            assert self.contract.billed[key] == record
        self.seen = dict(self.contract.billed)

    @invariant()
    def billed_periods_match_the_lines_in_force_and_the_term(self) -> None:
        contract = self.contract
        for record in contract.billed.values():
            lines = contract.lines_at(record.period_start)
            totals = compute_totals((line.priced() for line in lines), "EUR")
            assert (record.net, record.vat, record.gross) == (totals.net, totals.vat, totals.gross)
            assert contract.runs_on(record.period_start)

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        assert state_of(replay(self.events, Contract)) == state_of(self.contract)


ContractCommands.TestCase.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None
)
test_any_sequence_of_contract_commands_keeps_its_invariants = ContractCommands.TestCase
