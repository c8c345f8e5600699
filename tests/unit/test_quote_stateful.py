"""Any sequence of commands on a quote keeps its invariants and replays to the same state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.quote import TRANSITIONS, ApprovalPolicy, Quote, QuoteLine, QuoteStatus
from domain.quote_lines import RevisionRecord
from domain.values import Discount, DiscountKind, DiscountMode
from tests.unit.replay import replay, state_of

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ZERO = Decimal(0)

line_ids = st.sampled_from(["1", "2", "3", "4", "5", "9"])
# Mostly valid values, with the odd invalid one (zero quantity, negative price, 120 % VAT).
quantities = st.decimals(min_value=0, max_value=50, places=2)
prices = st.decimals(min_value=0, max_value=5000, places=2) | st.just(Decimal(-1))
vat_rates = st.sampled_from([Decimal(0), Decimal("5.5"), Decimal(10), Decimal(20), Decimal(120)])
discounts = st.none() | st.builds(
    Discount,
    st.sampled_from(list(DiscountKind)),
    st.decimals(min_value=0, max_value=100, places=2),
)
costs = st.none() | st.decimals(min_value=0, max_value=4000, places=2)
percents = st.lists(st.decimals(min_value=0, max_value=110, places=1), max_size=3)
# One send in four goes through an approval policy.
policies = st.integers(min_value=0, max_value=3).flatmap(
    lambda dice: (
        st.none()
        if dice
        else st.builds(
            ApprovalPolicy,
            st.none() | st.decimals(min_value=0, max_value=20000, places=0),
            st.none() | st.decimals(min_value=0, max_value=50, places=0),
            st.none() | st.decimals(min_value=-20, max_value=60, places=0),
        )
    )
)


class QuoteLifecycle(RuleBasedStateMachine):
    """Drives a quote with random verbs, refused ones included."""

    quote: Quote

    @initialize(
        prospect=st.booleans(),
        validity=st.none() | st.integers(min_value=0, max_value=40),
    )
    def draft(self, prospect: bool, validity: int | None) -> None:
        self.now = T0
        self.quote = Quote.draft(
            at=self.now,
            currency="EUR",
            customer_id=None if prospect else uuid4(),
            prospect="Acme" if prospect else None,
            valid_until=None if validity is None else (T0 + timedelta(days=validity)).date(),
        )
        self.quote.add_line(
            at=self.now,
            description="Survey",
            quantity=Decimal(2),
            unit_price=Decimal("150.00"),
            vat_rate=Decimal(20),
            unit_cost=Decimal(90),
        )
        self.events: list[Any] = list(self.quote.collect_events())
        self.ids_seen: set[str] = set(self.quote.lines)
        self.sent_revisions: dict[str, RevisionRecord] = {}

    def attempt(self, verb: Callable[[], object]) -> None:
        """Run a verb; a refused one leaves no trace, an accepted one obeys the rules."""
        quote = self.quote
        before, status, lines, revision = state_of(quote), quote.status, dict(quote.lines), 0
        revision = quote.revision
        try:
            verb()
        except DomainError:
            assert quote.pending_events == []
            assert state_of(quote) == before
            return
        new_events = quote.collect_events()
        self.events.extend(new_events)
        if quote.lines != lines:
            assert status == QuoteStatus.DRAFT, "lines only change in a draft"
        assert quote.revision >= revision
        new_ids = set(quote.lines) - set(lines)
        assert not new_ids & self.ids_seen, "line ids are never reused"
        self.ids_seen |= new_ids

    @rule(days=st.integers(min_value=0, max_value=8))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days, hours=1)

    @rule(
        quantity=quantities,
        price=prices,
        vat=vat_rates,
        discount=discounts,
        cost=costs,
    )
    def add_line(
        self,
        quantity: Decimal,
        price: Decimal,
        vat: Decimal,
        discount: Discount | None,
        cost: Decimal | None,
    ) -> None:
        self.attempt(
            lambda: self.quote.add_line(
                at=self.now,
                description="Work",
                quantity=quantity,
                unit_price=price,
                vat_rate=vat,
                discount=discount,
                unit_cost=cost,
            )
        )

    @rule(line_id=line_ids, quantity=quantities, discount=discounts)
    def change_line(self, line_id: str, quantity: Decimal, discount: Discount | None) -> None:
        self.attempt(
            lambda: self.quote.change_line(
                line_id, at=self.now, quantity=quantity, discount=discount
            )
        )

    @rule(line_id=line_ids)
    def remove_line(self, line_id: str) -> None:
        self.attempt(lambda: self.quote.remove_line(line_id, at=self.now))

    @rule(values=percents, mode=st.sampled_from(list(DiscountMode)))
    def set_discounts(self, values: list[Decimal], mode: DiscountMode) -> None:
        self.attempt(lambda: self.quote.set_discounts(at=self.now, percents=values, mode=mode))

    @rule(days=st.none() | st.integers(min_value=-3, max_value=30))
    def set_validity(self, days: int | None) -> None:
        until = None if days is None else (self.now + timedelta(days=days)).date()
        self.attempt(lambda: self.quote.set_validity(at=self.now, valid_until=until))

    @rule()
    def approve(self) -> None:
        self.attempt(lambda: self.quote.approve(at=self.now, approver="Manon", reason="ok"))

    @rule(policy=policies)
    def send(self, policy: ApprovalPolicy | None) -> None:
        self.attempt(lambda: self.quote.send(at=self.now, policy=policy))

    @rule()
    def accept(self) -> None:
        self.attempt(lambda: self.quote.accept(at=self.now))

    # Final verbs end the interesting part of a run: try them less often.
    @rule(dice=st.integers(min_value=0, max_value=5))
    def decline(self, dice: int) -> None:
        if dice == 0:
            self.attempt(lambda: self.quote.decline(at=self.now, reason="price"))

    @rule(dice=st.integers(min_value=0, max_value=9))
    def abandon(self, dice: int) -> None:
        if dice == 0:
            self.attempt(lambda: self.quote.abandon(at=self.now))

    @rule()
    def expire(self) -> None:
        self.attempt(lambda: self.quote.expire(at=self.now))

    @rule(reason=st.sampled_from(["new scope", " "]))
    def revise(self, reason: str) -> None:
        self.attempt(lambda: self.quote.revise(at=self.now, reason=reason))

    @rule()
    def remind(self) -> None:
        self.attempt(lambda: self.quote.remind(at=self.now, channel="email"))

    @rule()
    def attach(self) -> None:
        self.attempt(lambda: self.quote.attach_to_affair(at=self.now, affair_id=uuid4()))

    @rule(
        chosen=st.none() | st.lists(line_ids, max_size=3),
        customer=st.sampled_from([None, "own", "other"]),
    )
    def convert(self, chosen: list[str] | None, customer: str | None) -> None:
        customer_id: UUID | None = None
        if customer == "own":
            customer_id = self.quote.customer_id
        elif customer == "other":
            customer_id = uuid4()
        self.attempt(
            lambda: self.quote.convert(
                at=self.now, order_id=uuid4(), line_ids=chosen, customer_id=customer_id
            )
        )

    @invariant()
    def totals_are_never_negative(self) -> None:
        totals = self.quote.totals()
        for amount in (totals.lines_net, totals.net, totals.vat, totals.gross):
            assert amount >= ZERO
        assert totals.net <= totals.lines_net
        assert totals.gross == totals.net + totals.vat

    @invariant()
    def the_status_is_in_the_transition_table(self) -> None:
        assert self.quote.status in TRANSITIONS
        in_no_bucket = self.quote.validity_bucket(self.now.date()) is None
        assert in_no_bucket == (self.quote.status in (QuoteStatus.DECLINED, QuoteStatus.ABANDONED))

    @invariant()
    def sent_revisions_never_change(self) -> None:
        for number, record in self.quote.revisions.items():
            assert self.sent_revisions.setdefault(number, record) == record
            assert all(isinstance(line, QuoteLine) for line in record.lines.values())
        assert set(self.sent_revisions) == set(self.quote.revisions)

    @invariant()
    def replaying_the_events_gives_the_same_quote(self) -> None:
        assert state_of(replay(self.events, Quote)) == state_of(self.quote)


QuoteLifecycle.TestCase.settings = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_any_sequence_of_commands_keeps_the_quote_invariants = QuoteLifecycle.TestCase
