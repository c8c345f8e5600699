"""The accounting export on the real stores (I7): documents found through their number
registers, orders' invoices listed as left out, and `comptoir export fec|sales-journal`
run as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from application.accounting import AccountMapping, issued_between
from application.app import Comptoir
from application.commands import Outcome
from application.fec import FEC_COLUMNS, AccountingExports
from application.journal import CommandContext
from domain.errors import ExportNeedsEuros, InvalidExportPeriod
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_numbers import Series
from domain.invoice_terms import InvoiceDetails, OperationCategory
from domain.order import Order, OrderLine
from interfaces.settings import Settings
from tests.conftest import store_env
from tests.integration.company_support import establish_company

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
D = Decimal


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def ctx() -> CommandContext:
    return CommandContext(actor="carla", at=AT)


def customer(app: Comptoir, name: str = "Martin SA", currency: str = "EUR") -> UUID:
    return app.customers.register(ctx(), name=name, currency=currency).aggregate_id


def issue(app: Comptoir, customer_id: UUID, day: date, price: str = "650.00") -> UUID:
    details = InvoiceDetails(operation=OperationCategory.SERVICES)
    invoice_id = app.invoices.draft(ctx(), customer_id=customer_id, details=details).aggregate_id
    line = InvoiceLine("", "Audit", D(1), "day", D(price), VatCategory.STANDARD, D(20))
    app.invoices.add_line(ctx(), invoice_id, line)
    app.invoices.issue(ctx(), invoice_id, issue_date=day)
    return invoice_id


def order_invoice(app: Comptoir, customer_id: UUID, credited: bool = False) -> str:
    """An invoice kept inside its order (O5) as orders recorded them before invoices were
    documents: the series' next number claimed, dated by the clock, no register; and,
    `credited`, its credit note kept inside the order likewise."""
    line = OrderLine("L1", "Cash register", D(1), D("100.00"), D(20))
    order_id = app.orders.create(
        ctx(), customer_id=customer_id, currency="EUR", lines=[line]
    ).aggregate_id
    app.orders.confirm(ctx(), order_id)

    def numbered(series: Series, verb: Callable[[Order, str], None]) -> str:
        def build() -> Outcome:
            order = app.runner.load(Order, order_id)
            claim = app.runner.next_claim(series.sequence(AT.year))
            number = series.number(AT.year, claim.value)
            verb(order, number)
            return Outcome([order], {"number": number}, [claim])

        payload = {"order_id": order_id, "series": series}
        return app.runner.run(ctx(), f"order.{series}", payload, build).result["number"]

    number = numbered(Series.INVOICE, lambda order, n: order.invoice(AT, n, {"L1": D(1)}))
    if credited:
        numbered(
            Series.CREDIT_NOTE, lambda order, n: order.credit_note(AT, n, number, amount=D("60.00"))
        )
    return number


def test_an_orders_invoice_is_listed_as_not_in_the_export_where_its_dates_may_fall(
    app: Comptoir,
) -> None:
    martin = customer(app)
    audit = issue(app, martin, date(2026, 10, 5))  # INV-2026-00001: 780.00
    assert order_invoice(app, martin, credited=True) == "INV-2026-00002"  # and CN-2026-00001
    issue(app, martin, date(2026, 11, 2))  # INV-2026-00003, today: after the order's invoice
    app.invoices.credit(ctx(), audit, request=CreditRequest(), issue_date=date(2026, 11, 2))

    october = issued_between(app.runner, date(2026, 10, 1), date(2026, 10, 31))
    assert [d.number for d in october.documents] == ["INV-2026-00001"]
    assert october.not_exported == [
        "INV-2026-00002 (an order's invoice, dated 2026-10-05 to 2026-11-02)",
        "CN-2026-00001 (an order's credit note, dated 2026-01-01 to 2026-11-02)",
    ]
    november = issued_between(app.runner, date(2026, 11, 1), date(2026, 11, 30))
    assert [d.number for d in november.documents] == ["INV-2026-00003", "CN-2026-00002"]
    assert november.not_exported == october.not_exported
    december = issued_between(app.runner, date(2026, 11, 3), date(2026, 12, 31))
    assert (december.documents, december.not_exported) == ([], [])

    fec = AccountingExports(app.runner, AccountMapping()).fec(date(2026, 1, 1), date(2026, 12, 31))
    assert fec.filename == "732829320FEC20261231.txt"
    assert fec.report.documents == 3
    assert fec.report.debit == fec.report.credit == D("780.00") * 3
    assert "not in this export: INV-2026-00002" in "\n".join(fec.report.lines())


def test_a_range_backwards_or_a_document_in_dollars_is_refused(app: Comptoir) -> None:
    exports = AccountingExports(app.runner, AccountMapping())
    with pytest.raises(InvalidExportPeriod):
        exports.fec(date(2026, 12, 31), date(2026, 1, 1))
    acme = customer(app, "Acme Inc.", "USD")
    issue(app, acme, date(2026, 10, 7))
    with pytest.raises(ExportNeedsEuros, match=r"INV-2026-00001 is in USD"):
        exports.fec(date(2026, 10, 1), date(2026, 10, 31))
    rows, _ = exports.sales_journal(date(2026, 10, 1), date(2026, 10, 31))
    assert [(row.number, row.currency, row.gross) for row in rows] == [
        ("INV-2026-00001", "USD", D("780.00"))
    ]


def comptoir(settings: Settings, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **store_env(settings, **extra)}
    return subprocess.run(
        [sys.executable, "-m", "interfaces.cli", "export", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_writes_the_fec_and_the_sales_journal_and_says_what_is_left_out(
    app: Comptoir, settings: Settings, tmp_path: Path
) -> None:
    martin = customer(app)
    issue(app, martin, date(2026, 10, 5))  # 650.00 + 130.00
    issue(app, martin, date(2026, 10, 9), "100.00")  # 100.00 + 20.00
    order_invoice(app, martin)
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps({"customers": "411000", "vat_by_rate": {"20": "445720"}}))
    out = tmp_path / "fec.txt"
    october = ("--from", "2026-10-01", "--to", "2026-10-31")

    done = comptoir(
        settings, "fec", *october, "--out", str(out), COMPTOIR_ACCOUNTS_FILE=str(accounts)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"FEC written to {out}",
        "2 documents issued from 2026-10-01 to 2026-10-31",
        "debit 900.00, credit 900.00",
        "not in this export: INV-2026-00003 (an order's invoice, dated 2026-10-09 to 2026-12-31)",
        "amounts in EUR: documents in another currency are refused",
    ]
    header, *rows = [line.split("\t") for line in out.read_bytes().decode().split("\r\n")[:-1]]
    assert header == list(FEC_COLUMNS)
    assert [(r[2], r[4], r[11], r[12]) for r in rows] == [
        ("1", "411000", "780,00", "0,00"),
        ("1", "706", "0,00", "650,00"),
        ("1", "445720", "0,00", "130,00"),
        ("2", "411000", "120,00", "0,00"),
        ("2", "706", "0,00", "100,00"),
        ("2", "445720", "0,00", "20,00"),
    ]

    journal = tmp_path / "journal.json"
    done = comptoir(settings, "sales-journal", *october, "--out", str(journal), "--format", "json")
    assert done.returncode == 0, done.stderr
    written = json.loads(journal.read_text())
    assert [d["number"] for d in written["documents"]] == ["INV-2026-00001", "INV-2026-00002"]
    assert written["totals"] == {"EUR": {"net": "750.00", "vat": "150.00", "gross": "900.00"}}
    csv_out = tmp_path / "journal.csv"
    done = comptoir(settings, "sales-journal", *october, "--out", str(csv_out))
    assert done.returncode == 0, done.stderr
    assert csv_out.read_text().splitlines()[1] == (
        "2026-10-05,INV-2026-00001,invoice,Martin SA,EUR,650.00,130.00,650.00,130.00,780.00"
    )

    for args, code, said in [
        (("fec", "--from", "2026-10-31", "--to", "2026-10-01"), 2, "the range starts on"),
        (("fec", "--from", "1 Oct", "--to", "2026-10-31"), 2, "--from must be a day"),
        (("sales-journal", *october, "--out", str(csv_out), "--format", "xls"), 2, "csv or json"),
    ]:
        refused = comptoir(settings, *args)
        assert refused.returncode == code, refused.stderr
        assert len(refused.stderr.splitlines()) == 1
        assert refused.stderr.startswith("comptoir: ")
        assert said in refused.stderr
    bad_mapping = comptoir(settings, "fec", *october, COMPTOIR_ACCOUNTS_FILE=str(out))
    assert bad_mapping.returncode == 2
    assert bad_mapping.stderr.startswith("comptoir: COMPTOIR_ACCOUNTS_FILE: account mapping")
    assert len(bad_mapping.stderr.splitlines()) == 1
