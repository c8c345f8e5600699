"""The views' quote totals, remembered by content, are the quote's own at every state."""

from __future__ import annotations

from decimal import Decimal

from domain.values import Discount, DiscountKind, DiscountMode
from projections.quotes import quote_totals
from tests.unit.test_quote import a_draft, a_line, at


def test_remembered_totals_follow_every_change_of_lines_and_discounts() -> None:
    quote = a_draft()
    twin = a_draft(currency="USD")
    first = a_line(quote)
    a_line(twin)
    seen = []
    for change in (
        lambda: a_line(quote, quantity=Decimal(3), unit_price=Decimal("19.99")),
        lambda: quote.change_line(first, at=at(), quantity=Decimal(2)),
        lambda: quote.change_line(
            first, at=at(), discount=Discount(DiscountKind.PERCENT, Decimal(10))
        ),
        lambda: quote.set_discounts(at=at(), percents=[Decimal(5)], mode=DiscountMode.CASCADING),
        lambda: quote.send(at=at(1)),
    ):
        change()
        assert quote_totals(quote) == quote.totals()
        seen.append(quote_totals(quote))
    # the same lines in another currency are other totals
    assert quote_totals(twin) == twin.totals()
    assert quote_totals(twin).currency == "USD"
    assert len({s.gross for s in seen}) == 4  # sending changed no amount
