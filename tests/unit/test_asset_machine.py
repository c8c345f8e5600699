"""Any sequence of asset commands keeps the service invariants and replays exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.asset import Asset, ChecklistPoint, ServiceCaseStatus
from domain.errors import DomainError
from domain.warranty import WarrantyKind
from tests.unit.replay import replay, state_of

CASES = [UUID(int=n) for n in range(1, 3)]
CONTRACTS = [UUID(int=n) for n in range(100, 102)]
POINTS = ["clean", "test", "label"]
cases = st.sampled_from(CASES)
points = st.sampled_from(POINTS)


class AssetCommands(RuleBasedStateMachine):
    """Drives one asset with random verbs and a clock that only moves forward."""

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2027, 1, 10, 9, tzinfo=UTC)
        self.asset = Asset.register(
            self.now, UUID(int=99), "PRN-4200", "printer", "SN-1", "Lyon", {"firmware": "1.0"}
        )
        self.events: list[Any] = list(self.asset.collect_events())
        self.checks: dict[tuple[str, str], ChecklistPoint] = {}

    def attempt(self, command: Callable[[], object]) -> None:
        """Run a command; a refused one must leave no pending event behind."""
        pending = len(self.asset.pending_events)
        try:
            command()
        except DomainError:
            assert len(self.asset.pending_events) == pending
        self.events.extend(self.asset.collect_events())

    @rule(days=st.integers(min_value=0, max_value=60))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule(
        kind=st.sampled_from(list(WarrantyKind)),
        start=st.integers(min_value=-400, max_value=100),
        length=st.integers(min_value=-10, max_value=700),
    )
    def set_warranty(self, kind: WarrantyKind, start: int, length: int) -> None:
        first = self.now.date() + timedelta(days=start)
        last = first + timedelta(days=length)
        self.attempt(lambda: self.asset.set_warranty(self.now, kind, first, last))

    @rule(case=cases)
    def open_case(self, case: UUID) -> None:
        self.attempt(lambda: self.asset.open_service_case(self.now, "problem", case))

    @rule(case=cases)
    def diagnose(self, case: UUID) -> None:
        self.attempt(lambda: self.asset.diagnose(self.now, case, "diagnosis"))

    @rule(case=cases, to=st.sampled_from(list(ServiceCaseStatus)))
    def advance(self, case: UUID, to: ServiceCaseStatus) -> None:
        self.attempt(lambda: self.asset.advance(self.now, case, to))

    @rule(case=cases, point=points)
    def add_point(self, case: UUID, point: str) -> None:
        self.attempt(lambda: self.asset.add_checklist_point(self.now, case, point, point.title()))

    @rule(case=cases, point=points, by=st.sampled_from(["amelie", "bruno"]))
    def check_point(self, case: UUID, point: str, by: str) -> None:
        self.attempt(lambda: self.asset.check_point(self.now, case, point, by))

    @rule(case=cases, by=st.sampled_from(["amelie", "bruno"]), check_first=st.booleans())
    def work_the_case_through(self, case: UUID, by: str, check_first: bool) -> None:
        """Maybe check every point, then push the case step by step towards its return."""
        if str(case) not in self.asset.service_cases:
            return
        if check_first:
            for point in self.asset.service_case(case).checklist:
                self.attempt(partial(self.asset.check_point, self.now, case, point.point_id, by))
        for to in (
            ServiceCaseStatus.DIAGNOSIS,
            ServiceCaseStatus.REPAIR,
            ServiceCaseStatus.RETURNED,
        ):
            self.attempt(partial(self.asset.advance, self.now, case, to))

    @rule(key=st.sampled_from(["firmware", "ram"]), value=st.sampled_from([None, "1.0", "2.0"]))
    def change_configuration(self, key: str, value: str | None) -> None:
        self.attempt(lambda: self.asset.change_configuration(self.now, {key: value}, "update"))

    @rule(contract=st.sampled_from(CONTRACTS), link=st.booleans())
    def change_contract(self, contract: UUID, link: bool) -> None:
        verb = self.asset.link_contract if link else self.asset.unlink_contract
        self.attempt(lambda: verb(self.now, contract))

    @invariant()
    def a_returned_case_has_its_checklist_complete(self) -> None:
        for case in self.asset.service_cases.values():
            if case.status == ServiceCaseStatus.RETURNED:
                assert case.checklist_complete
                assert case.returned_at is not None

    @invariant()
    def a_checked_point_keeps_who_and_when(self) -> None:
        for key, case in self.asset.service_cases.items():
            for point in case.checklist:
                if point.checked:
                    assert self.checks.setdefault((key, point.point_id), point) == point

    @invariant()
    def the_configuration_is_the_last_revision(self) -> None:
        revisions = len(self.asset.configuration_history)
        assert self.asset.configuration_at(revisions) == self.asset.configuration

    @invariant()
    def warranties_never_end_before_they_start(self) -> None:
        assert all(w.start <= w.end for w in self.asset.warranties.values())

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        assert state_of(replay(self.events, Asset)) == state_of(self.asset)


AssetCommands.TestCase.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)
test_any_sequence_of_asset_commands_keeps_its_invariants = AssetCommands.TestCase
