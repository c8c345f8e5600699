"""Any sequence of customer commands keeps the status table and replays exactly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.customer import TRANSITIONS, Address, AddressKind, Contact, Customer
from domain.errors import DomainError
from tests.unit.replay import replay, state_of

address_ids = st.sampled_from(["hq", "plant", "depot"])
addresses = st.builds(
    Address,
    kind=st.sampled_from(list(AddressKind)),
    street=st.sampled_from(["1 rue A", "2 quai B"]),
    postal_code=st.just("75001"),
    city=st.sampled_from(["Paris", "Lyon"]),
    country=st.sampled_from(["FR", "BE"]),
)


class CustomerCommands(RuleBasedStateMachine):
    """Drives one customer with random verbs and a clock that moves forward by weeks."""

    customer: Customer

    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2024, 1, 1, 9, tzinfo=UTC)
        self.events: list[Any] = []
        self.previous = ""

    @initialize(status=st.sampled_from(["prospect", "qualified", "customer"]))
    def register(self, status: str) -> None:
        self.customer = Customer.register(self.now, "Acme", status=status)
        self.previous = self.customer.status
        self.events.extend(self.customer.collect_events())

    def attempt(self, command: Callable[[], None]) -> None:
        self.now += timedelta(weeks=8)
        self.previous = self.customer.status
        try:
            command()
        except DomainError:
            assert self.customer.collect_events() == []
        else:
            self.events.extend(self.customer.collect_events())

    @rule()
    def qualify(self) -> None:
        self.attempt(lambda: self.customer.qualify(self.now))

    @rule()
    def make_customer(self) -> None:
        self.attempt(lambda: self.customer.make_customer(self.now))

    @rule(reason=st.sampled_from(["", "lost to a competitor"]))
    def abandon(self, reason: str) -> None:
        self.attempt(lambda: self.customer.abandon(self.now, reason))

    @rule(weeks_ago=st.one_of(st.none(), st.integers(min_value=0, max_value=120)))
    def mark_inactive(self, weeks_ago: int | None) -> None:
        last = None if weeks_ago is None else self.now - timedelta(weeks=weeks_ago)
        today: date = self.now.date()
        self.attempt(lambda: self.customer.mark_inactive(self.now, last, today))

    @rule()
    def reactivate(self) -> None:
        self.attempt(lambda: self.customer.reactivate(self.now))

    @rule(limit=st.one_of(st.none(), st.integers(0, 10_000).map(Decimal)))
    def set_credit_limit(self, limit: Decimal | None) -> None:
        self.attempt(lambda: self.customer.set_credit_limit(self.now, limit))

    @rule(address_id=address_ids, address=addresses, change=st.booleans())
    def address(self, address_id: str, address: Address, change: bool) -> None:
        verb = self.customer.change_address if change else self.customer.add_address
        self.attempt(lambda: verb(self.now, address_id, address))

    @rule(vat=st.sampled_from([None, "FR40303265045", "fr 403"]))
    def set_vat_number(self, vat: str | None) -> None:
        self.attempt(lambda: self.customer.set_vat_number(self.now, vat))

    @rule(name=st.sampled_from(["Jeanne", "Paul"]))
    def add_contact(self, name: str) -> None:
        self.attempt(lambda: self.customer.add_contact(self.now, Contact(name)))

    @invariant()
    def status_moves_only_along_the_table(self) -> None:
        status = self.customer.status
        assert status in TRANSITIONS
        assert status == self.previous or status in TRANSITIONS[self.previous]  # type: ignore[index]

    @invariant()
    def replaying_the_history_gives_the_same_customer(self) -> None:
        assert state_of(replay(self.events, Customer)) == state_of(self.customer)


TestCustomerCommands = CustomerCommands.TestCase
TestCustomerCommands.settings = settings(max_examples=50, stateful_step_count=30, deadline=None)
