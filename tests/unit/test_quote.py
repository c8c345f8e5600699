"""Example-based tests of the Quote aggregate: each rule, each named error, exact money."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.errors import (
    DomainError,
    EmptyQuote,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    QuoteExpired,
    QuotePartyRequired,
    UnknownCurrency,
    UnknownLine,
)
from domain.quote import Quote, QuoteLine, QuoteStatus
from domain.values import Discount, DiscountKind, DiscountMode
from tests.unit.replay import replay, state_of

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def at(days: int = 0) -> datetime:
    return T0 + timedelta(days=days)


def a_draft(**overrides: Any) -> Quote:
    kwargs: dict[str, Any] = {"at": at(), "currency": "EUR", "customer_id": uuid4()}
    kwargs.update(overrides)
    return Quote.draft(**kwargs)


def a_line(quote: Quote, **overrides: Any) -> str:
    kwargs: dict[str, Any] = {
        "at": at(),
        "description": "Installation",
        "quantity": Decimal(1),
        "unit_price": Decimal(100),
        "vat_rate": Decimal(20),
    }
    kwargs.update(overrides)
    return quote.add_line(**kwargs)


def a_sent_quote(**overrides: Any) -> Quote:
    quote = a_draft(**overrides)
    a_line(quote)
    quote.send(at=at(1))
    return quote


def rejects_without_events(quote: Quote, error: type[DomainError], verb: Any) -> None:
    before = state_of(quote)
    pending = len(quote.pending_events)
    with pytest.raises(error):
        verb()
    assert len(quote.pending_events) == pending
    assert state_of(quote) == before


# -- drafting (Q1) ------------------------------------------------------------------------


def test_a_quote_can_be_drafted_for_a_prospect_without_a_known_customer() -> None:
    quote = Quote.draft(at=at(), currency="EUR", prospect="  Boulangerie Martin ")
    assert quote.status == QuoteStatus.DRAFT
    assert quote.prospect == "Boulangerie Martin"
    assert quote.customer_id is None
    assert quote.revision == 1
    assert quote.lines == {}
    assert [type(e) for e in quote.collect_events()] == [Quote.Drafted]


def test_a_quote_needs_a_customer_or_a_prospect() -> None:
    with pytest.raises(QuotePartyRequired):
        Quote.draft(at=at(), currency="EUR")
    with pytest.raises(QuotePartyRequired):
        Quote.draft(at=at(), currency="EUR", prospect="   ")


def test_a_quote_needs_a_known_currency() -> None:
    with pytest.raises(UnknownCurrency):
        a_draft(currency="EURO")


def test_a_command_needs_a_timezone_aware_time() -> None:
    with pytest.raises(InvalidInput):
        a_draft(at=datetime(2025, 3, 3, 9, 0))


# -- lines (Q2) ---------------------------------------------------------------------------


def test_line_ids_are_sequential_and_never_reused() -> None:
    quote = a_draft()
    assert a_line(quote) == "1"
    assert a_line(quote) == "2"
    quote.remove_line("2", at=at())
    assert a_line(quote) == "3"
    assert list(quote.lines) == ["1", "3"]


def test_a_free_line_names_no_product_and_its_text_is_trimmed() -> None:
    quote = a_draft()
    line_id = a_line(quote, description="  Site survey ", unit=" day ", product_ref="  ")
    assert quote.lines[line_id] == QuoteLine(
        line_id="1",
        description="Site survey",
        quantity=Decimal(1),
        unit_price=Decimal(100),
        vat_rate=Decimal(20),
        unit="day",
        product_ref=None,
    )


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("quantity", Decimal(0), InvalidAmount),
        ("quantity", Decimal(-1), InvalidAmount),
        ("quantity", Decimal("NaN"), InvalidAmount),
        ("quantity", 1.5, InvalidAmount),
        ("unit_price", Decimal(-1), InvalidAmount),
        ("unit_price", Decimal("Infinity"), InvalidAmount),
        ("vat_rate", Decimal(-1), InvalidAmount),
        ("vat_rate", Decimal("100.01"), InvalidAmount),
        ("description", "   ", InvalidInput),
        ("unit", "", InvalidInput),
        ("unit_cost", Decimal(-2), InvalidAmount),
        ("discount", Discount(DiscountKind.AMOUNT, Decimal("100.01")), InvalidAmount),
    ],
)
def test_an_invalid_line_is_refused_and_appends_nothing(
    field: str, value: object, error: type[DomainError]
) -> None:
    quote = a_draft()
    quote.collect_events()
    rejects_without_events(quote, error, lambda: a_line(quote, **{field: value}))
    assert quote.collect_events() == []


def test_a_line_change_records_the_full_resulting_line() -> None:
    quote = a_draft()
    line_id = a_line(quote)
    quote.collect_events()
    quote.change_line(line_id, at=at(), quantity=Decimal(3), description=" Two visits ")
    (changed,) = quote.collect_events()
    assert isinstance(changed, Quote.LineChanged)
    assert changed.line == QuoteLine(
        line_id="1",
        description="Two visits",
        quantity=Decimal(3),
        unit_price=Decimal(100),
        vat_rate=Decimal(20),
    )
    assert quote.lines["1"] == changed.line


def test_a_change_that_changes_nothing_appends_nothing() -> None:
    quote = a_draft()
    line_id = a_line(quote)
    quote.collect_events()
    quote.change_line(line_id, at=at(), quantity=Decimal(1))
    assert quote.collect_events() == []


def test_a_line_change_is_checked_like_a_new_line() -> None:
    quote = a_draft()
    line_id = a_line(quote)
    rejects_without_events(
        quote, InvalidAmount, lambda: quote.change_line(line_id, at=at(), quantity=Decimal(0))
    )
    rejects_without_events(
        quote, InvalidInput, lambda: quote.change_line(line_id, at=at(), colour="red")
    )


def test_an_unknown_line_cannot_be_changed_or_removed() -> None:
    quote = a_draft()
    rejects_without_events(
        quote, UnknownLine, lambda: quote.change_line("7", at=at(), quantity=Decimal(2))
    )
    rejects_without_events(quote, UnknownLine, lambda: quote.remove_line("7", at=at()))


def test_a_sent_quote_cannot_be_edited_without_a_revision() -> None:
    quote = a_sent_quote()
    rejects_without_events(quote, InvalidTransition, lambda: a_line(quote))
    rejects_without_events(
        quote, InvalidTransition, lambda: quote.change_line("1", at=at(), quantity=Decimal(2))
    )
    rejects_without_events(quote, InvalidTransition, lambda: quote.remove_line("1", at=at()))


# -- money (Q2) -----------------------------------------------------------------------------


def test_three_at_19_99_with_ten_percent_off_comes_to_53_97() -> None:
    quote = a_draft()
    a_line(
        quote,
        quantity=Decimal(3),
        unit_price=Decimal("19.99"),
        discount=Discount(DiscountKind.PERCENT, Decimal(10)),
    )
    totals = quote.totals()
    assert totals.net == Decimal("53.97")
    assert totals.vat == Decimal("10.79")
    assert totals.gross == Decimal("64.76")


def test_vat_is_computed_per_rate() -> None:
    quote = a_draft()
    a_line(quote, quantity=Decimal(2), unit_price=Decimal("10.05"), vat_rate=Decimal("5.5"))
    a_line(quote, quantity=Decimal(1), unit_price=Decimal("99.99"), vat_rate=Decimal(20))
    a_line(
        quote,
        unit_price=Decimal(50),
        vat_rate=Decimal(20),
        discount=Discount(DiscountKind.AMOUNT, Decimal("4.50")),
    )
    totals = quote.totals()
    assert totals.vat_by_rate == {Decimal("5.5"): Decimal("1.11"), Decimal(20): Decimal("29.10")}
    assert totals.net == Decimal("165.59")
    assert totals.vat == Decimal("30.21")
    assert totals.gross == Decimal("195.80")


# -- life cycle (Q4) ----------------------------------------------------------------------


def test_an_empty_quote_cannot_be_sent() -> None:
    quote = a_draft()
    rejects_without_events(quote, EmptyQuote, lambda: quote.send(at=at()))


def test_a_sent_quote_is_accepted_within_its_validity() -> None:
    quote = a_sent_quote(valid_until=date(2025, 3, 10))
    quote.accept(at=datetime(2025, 3, 10, 23, 0, tzinfo=UTC))
    assert quote.status == QuoteStatus.ACCEPTED
    assert quote.sent_at == at(1)
    assert quote.decided_at == datetime(2025, 3, 10, 23, 0, tzinfo=UTC)


def test_a_quote_cannot_be_accepted_after_its_validity_date() -> None:
    quote = a_sent_quote(valid_until=date(2025, 3, 10))
    rejects_without_events(
        quote, QuoteExpired, lambda: quote.accept(at=datetime(2025, 3, 11, tzinfo=UTC))
    )


def test_a_draft_cannot_be_accepted_or_declined() -> None:
    quote = a_draft()
    a_line(quote)
    error = rejects_without_events
    error(quote, InvalidTransition, lambda: quote.accept(at=at()))
    error(quote, InvalidTransition, lambda: quote.decline(at=at()))


def test_a_declined_quote_keeps_its_reason_and_is_final() -> None:
    quote = a_sent_quote()
    quote.decline(at=at(2), reason="  too expensive ")
    assert quote.status == QuoteStatus.DECLINED
    assert quote.decline_reason == "too expensive"
    rejects_without_events(quote, InvalidTransition, lambda: quote.accept(at=at(2)))


def test_the_transition_error_names_the_state_and_the_verb() -> None:
    quote = a_sent_quote()
    with pytest.raises(InvalidTransition) as caught:
        quote.send(at=at(2))
    assert str(caught.value) == "a sent quote cannot be sent"


# -- history ----------------------------------------------------------------------------------


def test_replaying_the_stored_events_reproduces_the_quote() -> None:
    quote = a_draft(prospect="Acme", valid_until=date(2025, 4, 1), salesperson="Lea")
    a_line(quote, discount=Discount(DiscountKind.PERCENT, Decimal("12.5")))
    a_line(quote, unit_cost=Decimal("40.10"), product_ref="SKU-1")
    quote.change_line("1", at=at(), unit="hour")
    quote.remove_line("2", at=at())
    quote.send(at=at(1))
    quote.decline(at=at(3), reason="budget")
    copy = replay(quote.collect_events(), Quote)
    assert state_of(copy) == state_of(quote)


# -- document discounts and margins (Q3, Q8) ----------------------------------------------------


def a_thousand_euro_quote() -> Quote:
    quote = a_draft()
    a_line(quote, quantity=Decimal(10))
    return quote


def test_cascading_document_discounts_multiply() -> None:
    quote = a_thousand_euro_quote()
    quote.set_discounts(at=at(), percents=[Decimal(10), Decimal(5)], mode=DiscountMode.CASCADING)
    totals = quote.totals()
    assert (totals.lines_net, totals.net, totals.vat, totals.gross) == (
        Decimal("1000.00"),
        Decimal("855.00"),
        Decimal("171.00"),
        Decimal("1026.00"),
    )


def test_cumulative_document_discounts_add_up() -> None:
    quote = a_thousand_euro_quote()
    quote.set_discounts(at=at(), percents=[Decimal(10), Decimal(5)], mode=DiscountMode.CUMULATIVE)
    assert quote.totals().net == Decimal("850.00")
    assert quote.totals().gross == Decimal("1020.00")


def test_a_document_discount_applies_to_each_vat_base() -> None:
    quote = a_draft()
    a_line(quote, unit_price=Decimal(100), vat_rate=Decimal(20))
    a_line(quote, unit_price=Decimal("33.33"), vat_rate=Decimal("5.5"))
    quote.set_discounts(at=at(), percents=[Decimal(10)], mode=DiscountMode.CASCADING)
    totals = quote.totals()
    assert totals.vat_by_rate == {Decimal(20): Decimal("18.00"), Decimal("5.5"): Decimal("1.65")}
    assert totals.net == Decimal("120.00")
    assert totals.gross == Decimal("139.65")


@pytest.mark.parametrize("percents", [[Decimal(101)], [Decimal(-1)], [Decimal("NaN")], [0.5]])
def test_an_invalid_document_discount_is_refused(percents: list[Decimal]) -> None:
    quote = a_thousand_euro_quote()
    rejects_without_events(
        quote,
        InvalidAmount,
        lambda: quote.set_discounts(at=at(), percents=percents, mode=DiscountMode.CASCADING),
    )


def test_margins_come_from_unit_costs_per_line_and_per_quote() -> None:
    quote = a_draft()
    first = a_line(
        quote,
        quantity=Decimal(3),
        unit_price=Decimal("19.99"),
        discount=Discount(DiscountKind.PERCENT, Decimal(10)),
        unit_cost=Decimal("12.50"),
    )
    second = a_line(quote, unit_price=Decimal(40), unit_cost=Decimal(10))
    assert quote.line_margin(first) == Decimal("16.47")
    assert quote.line_margin(second) == Decimal("30.00")
    totals = quote.totals()
    assert (totals.net, totals.cost, totals.margin) == (
        Decimal("93.97"),
        Decimal("47.50"),
        Decimal("46.47"),
    )
    assert totals.margin_rate is not None
    assert round(totals.margin_rate, 2) == Decimal("49.45")


def test_a_line_without_unit_cost_has_no_margin() -> None:
    quote = a_draft()
    line_id = a_line(quote)
    a_line(quote, unit_cost=Decimal(1))
    assert quote.line_margin(line_id) is None
    assert quote.totals().margin is None
    with pytest.raises(UnknownLine):
        quote.line_margin("9")
