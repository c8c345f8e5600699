"""Standalone invoices and credit notes on the real SQLite and Postgres stores."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.commands import CommandResult, Outcome
from application.journal import CommandContext
from application.order_documents import InvoiceTerms
from domain.customer import Address, AddressKind
from domain.errors import (
    CreditExceedsInvoice,
    IssueDateBeforePrevious,
    IssueDateInFuture,
    NotFound,
    UnknownInvoiceNumber,
)
from domain.invoice import InvoiceStatus
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.order import OrderLine
from interfaces.settings import Settings
from tests.conftest import settings_for
from tests.integration.company_support import establish_company

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
TODAY = AT.date()
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def ctx(**kwargs: Any) -> CommandContext:
    kwargs.setdefault("actor", "carla")
    kwargs.setdefault("at", AT)
    return CommandContext(**kwargs)


def customer(app: Comptoir, vat_number: str | None = "FR40303265045") -> UUID:
    customer_id = app.customers.register(
        ctx(), name="Martin SA", vat_number=vat_number
    ).aggregate_id
    address = Address(AddressKind.BILLING, "1 rue de la Paix", "75002", "Paris", "FR")
    app.customers.add_address(ctx(), customer_id, address)
    return customer_id


def line(price: str = "100.00", quantity: str = "2", unit: str = "hour") -> InvoiceLine:
    return InvoiceLine("", "Consulting", D(quantity), unit, D(price), VatCategory.STANDARD, D(20))


def draft(app: Comptoir, customer_id: UUID, *lines: InvoiceLine) -> UUID:
    details = InvoiceDetails(
        operation=OperationCategory.SERVICES, payment_terms=PaymentTerms(TermsKind.NET, 30)
    )
    invoice_id = app.invoices.draft(ctx(), customer_id=customer_id, details=details).aggregate_id
    for one in lines or (line(),):
        app.invoices.add_line(ctx(), invoice_id, one)
    return invoice_id


def test_an_issued_invoice_has_its_number_dates_buyer_and_totals(app: Comptoir) -> None:
    invoice_id = draft(app, customer(app))
    issued = app.invoices.issue(ctx(), invoice_id, issue_date=TODAY - timedelta(days=1))
    assert issued.result == {"number": "INV-2026-00001"}
    invoice = app.invoices.get(invoice_id)
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.issue_date == date(2026, 11, 1)
    assert invoice.due_date == date(2026, 12, 1)
    assert invoice.buyer is not None
    assert invoice.buyer.name == "Martin SA"
    assert invoice.buyer.vat_number == "FR40303265045"
    assert invoice.buyer.billing_address is not None
    assert invoice.buyer.billing_address.city == "Paris"
    assert invoice.totals().gross == D("240.00")
    assert invoice.lines["1"].unit == "HUR"
    assert app.invoices.by_number("INV-2026-00001").id == invoice_id


def test_the_buyer_on_an_issued_invoice_does_not_follow_the_customer(app: Comptoir) -> None:
    customer_id = customer(app)
    invoice_id = draft(app, customer_id)
    app.invoices.issue(ctx(), invoice_id, issue_date=TODAY)
    app.customers.set_vat_number(ctx(), customer_id, None)
    buyer = app.invoices.get(invoice_id).buyer
    assert buyer is not None
    assert buyer.vat_number == "FR40303265045"


def test_a_draft_needs_an_existing_customer(app: Comptoir) -> None:
    with pytest.raises(NotFound):
        draft(app, uuid4())


def test_an_unknown_number_is_not_found(app: Comptoir) -> None:
    with pytest.raises(UnknownInvoiceNumber):
        app.invoices.by_number("INV-2026-00042")


def test_numbers_follow_the_dates_of_their_series(app: Comptoir) -> None:
    customer_id = customer(app)
    first, second, third = (draft(app, customer_id) for _ in range(3))
    app.invoices.issue(ctx(), first, issue_date=date(2026, 10, 20))
    with pytest.raises(IssueDateBeforePrevious):
        app.invoices.issue(ctx(), second, issue_date=date(2026, 10, 19))
    with pytest.raises(IssueDateInFuture):
        app.invoices.issue(ctx(), second, issue_date=TODAY + timedelta(days=1))
    assert app.invoices.issue(ctx(), second, issue_date=date(2026, 10, 20)).result == {
        "number": "INV-2026-00002"
    }
    # another year's series has its own numbers and dates
    assert app.invoices.issue(ctx(), third, issue_date=date(2025, 12, 31)).result == {
        "number": "INV-2025-00001"
    }


def test_an_orders_invoice_is_a_document_of_the_series_and_the_next_follows_its_date(
    app: Comptoir,
) -> None:
    """An order's invoice is issued as a document on the date the command states and
    registers its number with it: the next number may not be dated before that day."""
    customer_id = customer(app)
    order_line = OrderLine("L1", "Cash register", D(1), D("100.00"), D(20))
    order_id = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=[order_line]
    ).aggregate_id
    app.orders.confirm(ctx(), order_id)
    day = TODAY - timedelta(days=2)
    ordered = app.orders.invoice(ctx(), order_id, {"L1": D(1)}, InvoiceTerms(day))
    assert ordered.result["invoice_number"] == "INV-2026-00001"
    document = app.invoices.by_number("INV-2026-00001")
    assert (document.id, document.issue_date) == (UUID(ordered.result["invoice_id"]), day)
    assert document.totals().gross == D("120.00")
    invoice_id = draft(app, customer_id)
    with pytest.raises(IssueDateBeforePrevious):
        app.invoices.issue(ctx(), invoice_id, issue_date=day - timedelta(days=1))
    issued = app.invoices.issue(ctx(), invoice_id, issue_date=day)
    assert issued.result == {"number": "INV-2026-00002"}


def race(app: Comptoir, monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], object]) -> None:
    """Make `meanwhile` happen once, between the next issue's reads and its write."""
    real_run = app.runner.run
    done: list[bool] = []

    def run(
        c: CommandContext, command: str, payload: dict[str, Any], build: Callable[[], Outcome]
    ) -> CommandResult:
        def racing_build() -> Outcome:
            outcome = build()
            if command == "invoice.issue" and not done:
                done.append(True)
                meanwhile()
            return outcome

        return real_run(c, command, payload, racing_build)

    monkeypatch.setattr(app.runner, "run", run)


def test_a_claim_taken_meanwhile_is_retried_on_the_next_number(
    app: Comptoir, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = customer(app)
    first, second = draft(app, customer_id), draft(app, customer_id)
    race(app, monkeypatch, lambda: app.invoices.issue(ctx(), first, issue_date=date(2026, 10, 30)))
    issued = app.invoices.issue(ctx(), second, issue_date=date(2026, 10, 31))
    assert issued.result == {"number": "INV-2026-00002"}
    assert app.invoices.get(first).number == "INV-2026-00001"


def test_a_retry_that_finds_a_later_date_meanwhile_is_refused(
    app: Comptoir, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = customer(app)
    first, second = draft(app, customer_id), draft(app, customer_id)
    race(app, monkeypatch, lambda: app.invoices.issue(ctx(), first, issue_date=date(2026, 11, 2)))
    with pytest.raises(IssueDateBeforePrevious):
        app.invoices.issue(ctx(), second, issue_date=date(2026, 10, 31))
    assert app.invoices.get(second).status == InvoiceStatus.DRAFT


def test_credit_notes_have_their_own_series_and_never_exceed_the_invoice(app: Comptoir) -> None:
    invoice_id = draft(app, customer(app), line("100.00", "2"), line("50.00", "1"))
    app.invoices.issue(ctx(), invoice_id, issue_date=TODAY)
    partial = app.invoices.credit(
        ctx(), invoice_id, request=CreditRequest(quantities={"1": D(1)}), issue_date=TODAY
    )
    assert partial.result == {"number": "CN-2026-00001", "invoice_id": str(invoice_id)}
    note = app.invoices.get(partial.aggregate_id)
    assert note.credited is not None
    assert note.credited.number == "INV-2026-00001"
    assert note.totals().gross == D("120.00")
    assert app.invoices.get(invoice_id).amount_due == D("180.00")
    with pytest.raises(CreditExceedsInvoice):
        app.invoices.credit(
            ctx(), invoice_id, request=CreditRequest(amount=D("180.01")), issue_date=TODAY
        )
    rest = app.invoices.credit(ctx(), invoice_id, request=CreditRequest(), issue_date=TODAY)
    assert rest.result["number"] == "CN-2026-00002"
    assert app.invoices.get(rest.aggregate_id).totals().gross == D("180.00")
    assert app.invoices.get(invoice_id).amount_due == 0
    assert app.invoices.by_number("CN-2026-00002").id == rest.aggregate_id


def test_eight_threads_issuing_at_once_get_gapless_chronological_numbers(
    tmp_path: Path, pg_schema: str
) -> None:
    app = Comptoir(settings_for("postgres", tmp_path, pg_schema).eventstore_env())
    try:
        establish_company(app)
        customer_id = customer(app)
        threads_count, rounds = 8, 3
        drafts = [draft(app, customer_id) for _ in range(threads_count * rounds)]
        failures: list[BaseException] = []
        refused: list[date] = []
        lock = threading.Lock()
        barrier = threading.Barrier(threads_count)

        def issuer(index: int, mine: list[UUID]) -> None:
            for turn, invoice_id in enumerate(mine):
                barrier.wait(timeout=30)
                # dates move forward by round, each thread a day apart within it
                day = date(2026, 10, 1) + timedelta(days=turn * 10 + index)
                try:
                    app.invoices.issue(ctx(), invoice_id, issue_date=day)
                except IssueDateBeforePrevious:
                    with lock:
                        refused.append(day)
                except Exception as error:  # reported below
                    with lock:
                        failures.append(error)

        threads = [
            threading.Thread(target=issuer, args=(i, drafts[i::threads_count]))
            for i in range(threads_count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        issued = [app.invoices.get(i) for i in drafts]
        numbered = sorted(
            (str(i.number), i.issue_date or date.min)
            for i in issued
            if i.status == InvoiceStatus.ISSUED
        )
        assert len(numbered) >= rounds
        assert len(numbered) + len(refused) == len(drafts)
        assert [n for n, _ in numbered] == [
            f"INV-2026-{k:05d}" for k in range(1, len(numbered) + 1)
        ]
        dates = [d for _, d in numbered]
        assert dates == sorted(dates)
        for number, _ in numbered:
            assert app.invoices.by_number(number).number == number
    finally:
        app.close()


def test_a_retried_issue_returns_its_first_number_and_claims_no_other(app: Comptoir) -> None:
    customer_id = customer(app)
    first, second = draft(app, customer_id), draft(app, customer_id)
    issued = app.invoices.issue(ctx(idempotency_key="issue-1"), first, issue_date=TODAY)
    again = app.invoices.issue(ctx(idempotency_key="issue-1"), first, issue_date=TODAY)
    assert again.replayed
    assert again.result == issued.result == {"number": "INV-2026-00001"}
    assert app.invoices.issue(ctx(), second, issue_date=TODAY).result == {
        "number": "INV-2026-00002"
    }
