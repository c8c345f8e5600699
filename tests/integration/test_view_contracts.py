"""The `contracts` and `contract_terms` views (V7, C5) against figures computed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine, revenue_between
from domain.periods import Frequency, add_months
from interfaces.settings import Settings
from projections.contracts import (
    count_contracts,
    query_contracts,
    recurring_revenue,
    revenue_next_year,
)
from projections.runner import ProjectionRunner
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 2)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)  # billing a period issues its invoice
    yield app
    app.close()


def ctx() -> CommandContext:
    return CommandContext(actor="carol", at=AT)


def line(price: str) -> list[ContractLine]:
    return [ContractLine("Maintenance", D(1), D(price), D("20"))]


def sign(app: Comptoir, customer_id: UUID, **fields: Any) -> UUID:
    currency = fields.pop("currency", "EUR")
    price = fields.pop("price")
    return app.contracts.sign(
        ctx(), customer_id=customer_id, currency=currency, lines=line(price), **fields
    ).aggregate_id


@pytest.fixture
def book(app: Comptoir, tmp_path: Path) -> Iterator[tuple[Comptoir, DuckStore, dict[str, UUID]]]:
    customer = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    ids = {
        # 100.00 a month through 2026, 30 days' notice: renewal date 1 Dec 2026
        "monthly": sign(
            app,
            customer,
            price="100.00",
            frequency=Frequency.MONTH,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            notice_days=30,
        ),
        # 300.00 a quarter, open-ended; 600.00 a quarter from 2027
        "quarterly": sign(
            app, customer, price="300.00", frequency=Frequency.QUARTER, start=date(2026, 1, 1)
        ),
        "suspended": sign(
            app, customer, price="50.00", frequency=Frequency.MONTH, start=date(2026, 6, 1)
        ),
        "terminated": sign(
            app, customer, price="70.00", frequency=Frequency.MONTH, start=date(2026, 1, 1)
        ),
        # 1,200.00 USD a year from 15 March 2026
        "usd": sign(
            app,
            customer,
            currency="USD",
            price="1200.00",
            frequency=Frequency.YEAR,
            start=date(2026, 3, 15),
        ),
    }
    app.contracts.bill_due(ctx(), ids["monthly"], TODAY)  # January to November: 11 periods
    app.contracts.amend(
        ctx(), ids["quarterly"], effective=date(2027, 1, 1), lines=line("600.00"), reason="more"
    )
    app.contracts.suspend(ctx(), ids["suspended"], reason="shop closed for works")
    app.contracts.terminate(
        ctx(), ids["terminated"], effective=date(2026, 11, 1), reason="moved away"
    )
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    yield app, store, ids
    store.close()


Book = tuple[Comptoir, DuckStore, dict[str, UUID]]


def test_a_monthly_contract_of_100_is_100_a_month_and_1200_a_year(book: Book) -> None:
    _, store, ids = book
    rows = {r["contract_id"]: r for r in query_contracts(store.reader(), TODAY)}
    assert rows[str(ids["monthly"])]["mrr"] == D("100.00")
    assert rows[str(ids["quarterly"])]["mrr"] == D("100.00")  # 300.00 a quarter
    assert rows[str(ids["usd"])]["mrr"] == D("100.00")  # 1,200.00 a year
    assert rows[str(ids["suspended"])]["mrr"] == 0
    assert rows[str(ids["terminated"])]["mrr"] == 0  # it stopped on 1 November
    revenue = recurring_revenue(store.reader(), TODAY)
    # monthly 100.00 + quarterly 100.00 in EUR; the suspended and terminated ones count nothing
    assert revenue["EUR"] == {"contracts": 2, "mrr": D("200.00"), "arr": D("2400.00")}
    assert revenue["USD"] == {"contracts": 1, "mrr": D("100.00"), "arr": D("1200.00")}


def test_the_recurring_revenue_of_another_day_uses_the_terms_in_force_that_day(
    book: Book,
) -> None:
    _, store, ids = book
    revenue = recurring_revenue(store.reader(), date(2027, 1, 15))
    # the monthly contract has ended; the quarterly one bills 600.00 a quarter: 200.00 a month
    assert revenue["EUR"] == {"contracts": 1, "mrr": D("200.00"), "arr": D("2400.00")}
    terms = store.reader().execute(
        "SELECT effective_from, effective_to, period_net, mrr FROM contract_terms "
        "WHERE contract_id = ? ORDER BY effective_from",
        [str(ids["quarterly"])],
    )
    assert terms.fetchall() == [
        (date(2026, 1, 1), date(2027, 1, 1), D("300.00"), D("100.00")),
        (date(2027, 1, 1), None, D("600.00"), D("200.00")),
    ]
    assert recurring_revenue(store.reader(), date(2025, 12, 31)) == {}


def test_billing_progress_next_billing_date_and_renewal_date(book: Book) -> None:
    _, store, ids = book
    rows = {r["contract_id"]: r for r in query_contracts(store.reader(), TODAY)}
    monthly = rows[str(ids["monthly"])]
    assert (monthly["billed_periods"], monthly["billed_net"]) == (11, D("1100.00"))
    assert (monthly["last_billed_index"], monthly["last_billed_start"]) == (10, date(2026, 11, 1))
    assert (monthly["next_period_index"], monthly["next_billing_date"]) == (11, date(2026, 12, 1))
    assert monthly["next_period_net"] == D("100.00")
    assert monthly["renewal_date"] == date(2026, 12, 1)  # 31 Dec less 30 days
    assert (monthly["renewal_due"], monthly["days_to_renewal"]) == (False, 29)
    quarterly = rows[str(ids["quarterly"])]
    assert (quarterly["last_billed_index"], quarterly["next_billing_date"]) == (
        None,
        date(2026, 1, 1),
    )
    assert quarterly["renewal_date"] is None
    assert rows[str(ids["suspended"])]["next_billing_date"] is None
    terminated = rows[str(ids["terminated"])]
    assert (terminated["status"], terminated["last_day"]) == ("terminated", date(2026, 10, 31))


def test_renewals_due_are_found_for_the_day_asked(book: Book) -> None:
    _, store, ids = book
    cursor = store.reader()
    within = query_contracts(cursor, TODAY, renewals_within_days=30)
    assert [r["contract_id"] for r in within] == [str(ids["monthly"])]
    assert query_contracts(cursor, TODAY, renewals_within_days=28) == []
    on_the_day = query_contracts(cursor, date(2026, 12, 1), renewals_within_days=0)
    assert [(r["contract_id"], r["renewal_due"]) for r in on_the_day] == [
        (str(ids["monthly"]), True)
    ]
    assert count_contracts(cursor, TODAY, status="suspended") == 1
    assert count_contracts(cursor, TODAY) == 5


def test_next_years_revenue_is_the_periods_starting_within_a_year(book: Book) -> None:
    app, store, ids = book
    revenue = revenue_next_year(store.reader(), TODAY)
    # monthly: 1 Dec 2026 only (100.00); quarterly: Jan, Apr, Jul, Oct 2027 at 600.00;
    # suspended: nothing while suspended; terminated: nothing after 31 Oct 2026
    assert revenue["EUR"] == D("2500.00")
    assert revenue["USD"] == D("1200.00")  # the period starting 15 March 2027
    # the same as the domain's own rule, contract by contract
    until = add_months(TODAY, 12)
    expected = sum(
        (revenue_between(app.contracts.get(ids[k]), TODAY, until) for k in ids if k != "usd"),
        D(0),
    )
    assert revenue["EUR"] == expected
