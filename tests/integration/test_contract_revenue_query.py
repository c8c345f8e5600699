"""Next year's revenue as one DuckDB query (`projections.contract_revenue`) equals the
domain's `revenue_between`, contract by contract: every frequency, month-end starts,
amendments, bills, suspensions (open and closed), terminations and renewals, for windows
starting on many days, now and as of an earlier time."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine, revenue_between
from domain.periods import Frequency, add_months, period_start
from interfaces.settings import Settings
from projections.contract_revenue import revenue_by_contract, revenue_next_year
from projections.runner import ProjectionRunner
from tests.integration.company_support import establish_company

SIGNED = datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
CHANGED = SIGNED + timedelta(days=1)  # the amendments, bills, suspensions … from here
BETWEEN = SIGNED + timedelta(hours=12)  # as of: every contract signed, nothing changed yet
D = Decimal
STARTS = [date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 30), date(2025, 8, 31)]
STARTS += [date(2024, 2, 29), date(2025, 11, 15), date(2026, 1, 1), date(2026, 3, 31)]


Book = tuple[Comptoir, DuckStore, dict[UUID, int]]


def ctx(at: datetime) -> CommandContext:
    return CommandContext(actor="carol", at=at)


def lines(price: str) -> list[ContractLine]:
    return [
        ContractLine("Maintenance", D(1), D(price), D("20")),
        ContractLine("Astreinte", D("0.5"), D("33.33"), D("5.5")),
    ]


@pytest.fixture
def book(settings: Settings, tmp_path: Path) -> Iterator[Book]:
    """About forty contracts drawn at random (seeded), and each one's version as of
    `BETWEEN`; the projector has folded them all."""
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    draw = random.Random(20261205)
    customer = app.customers.register(ctx(SIGNED), name="Martin", status="customer")
    ids: list[UUID] = []
    for n, frequency in enumerate(list(Frequency) * 7):
        start = STARTS[n % len(STARTS)]
        end = None if n % 3 else add_months(start, draw.choice([5, 14, 30])) - timedelta(1)
        signed = app.contracts.sign(
            ctx(SIGNED),
            customer_id=customer.aggregate_id,
            currency="EUR" if n % 5 else "USD",
            lines=lines(f"{draw.randint(10, 900)}.{draw.randint(0, 99):02d}"),
            frequency=frequency,
            start=start,
            end=end,
        )
        ids.append(signed.aggregate_id)
    between = {contract_id: app.contracts.get(contract_id).version for contract_id in ids}
    for n, contract_id in enumerate(ids):
        change(app, draw, n, contract_id)
    store = DuckStore(tmp_path / "v.duckdb")
    ProjectionRunner(app, store.writer()).catch_up()
    yield app, store, between
    store.close()
    app.close()


def change(app: Comptoir, draw: random.Random, n: int, contract_id: UUID) -> None:
    """A mix of what happens to contracts, at increasing times after `CHANGED`."""
    at = CHANGED
    contract = app.contracts.get(contract_id)
    if n % 2 == 0:
        effective = contract.start + timedelta(days=draw.randint(20, 500))
        if contract.last_day is not None and effective > contract.last_day:
            effective = contract.start + (contract.last_day - contract.start) / 2
        app.contracts.amend(
            ctx(at), contract_id, effective=effective, lines=lines("77.70"), reason="new rate"
        )
        if n % 4 == 0:  # a second amendment on the same day wins
            app.contracts.amend(
                ctx(at), contract_id, effective=effective, lines=lines("88.80"), reason="again"
            )
    if n % 3 != 2:  # the first periods that have started, billed (one of them skipped)
        for index in (0, 2, 3):
            if period_start(contract.start, contract.frequency, index) <= at.date():
                app.contracts.bill(ctx(at), contract_id, index)
    if n % 5 == 1:
        app.contracts.suspend(ctx(at + timedelta(days=3)), contract_id, reason="works")
        if n % 2:
            app.contracts.resume(ctx(at + timedelta(days=50)), contract_id)
    elif n % 7 == 3:
        effective = date(2026, 1, 1) + timedelta(days=draw.randint(30, 400))
        app.contracts.terminate(ctx(at), contract_id, effective=effective, reason="moved")
    elif n % 7 == 5 and contract.end is not None:
        new_end = add_months(contract.end, 12)
        app.contracts.renew(ctx(at), contract_id, new_end=new_end, reason="one more year")


def windows() -> list[date]:
    days = [date(2024, 1, 1) + timedelta(days=61 * k + k % 5) for k in range(22)]
    return [*days, date(2026, 1, 31), date(2026, 2, 28), date(2028, 2, 29), date(2027, 12, 31)]


def test_the_query_equals_the_domain_for_every_contract_and_window(book: Book) -> None:
    app, store, between = book
    cursor = store.reader()
    for since in windows():
        until = add_months(since, 12)
        found = revenue_by_contract(cursor, since, until)
        expected = {
            str(contract_id): revenue_between(app.contracts.get(contract_id), since, until)
            for contract_id in between
        }
        assert {k: found.get(k, D(0)) for k in expected} == expected, since
        # a shorter window too: one month, one week
        for short in (add_months(since, 1), since + timedelta(days=7)):
            found = revenue_by_contract(cursor, since, short)
            for contract_id in between:
                contract = app.contracts.get(contract_id)
                assert found.get(str(contract_id), D(0)) == revenue_between(
                    contract, since, short
                ), (since, short, contract.frequency)


def test_the_query_as_of_an_earlier_time_equals_the_domain_on_those_versions(
    book: Book,
) -> None:
    app, store, between = book
    cursor = store.reader()
    for since in windows()[::3]:
        until = add_months(since, 12)
        found = revenue_by_contract(cursor, since, until, as_of=BETWEEN)
        for contract_id, version in between.items():
            then = app.contracts.get(contract_id, version)
            assert found.get(str(contract_id), D(0)) == revenue_between(then, since, until)


def test_next_years_revenue_sums_the_contracts_per_currency(book: Book) -> None:
    app, store, between = book
    cursor = store.reader()
    today = date(2026, 6, 15)
    until = add_months(today, 12)
    expected: dict[str, Decimal] = {}
    for contract_id in between:
        contract = app.contracts.get(contract_id)
        revenue = revenue_between(contract, today, until)
        expected[contract.currency] = expected.get(contract.currency, D(0)) + revenue
    assert revenue_next_year(cursor, today) == expected
    assert expected["EUR"] > 0
    assert expected["USD"] > 0


def test_a_window_longer_than_a_year_is_refused(book: Book) -> None:
    _, store, _ = book
    cursor = store.reader()
    with pytest.raises(ValueError, match="at most a year"):
        revenue_by_contract(cursor, date(2026, 1, 1), date(2027, 1, 2))
