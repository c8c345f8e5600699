"""Journal entries and the FEC of issued invoices and credit notes (I7), amounts by hand."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from application.accounting import (
    AccountMapping,
    InvalidAccountMapping,
    UnbalancedEntry,
    check_balanced,
    customer_code,
    entry_of,
    load_mapping,
    mapping_of,
)
from application.fec import (
    FEC_COLUMNS,
    fec_amount,
    fec_filename,
    fec_records,
    fec_text,
    journal_csv,
    journal_row,
)
from domain.invoice import Invoice
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory
from tests.unit.sellers import SELLER

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
D = Decimal
CUSTOMER = UUID("0123456789abcdef0123456789abcdef")
BUYER = Buyer("Martin SA", "FR40303265045")


def a_line(description: str, quantity: str, unit: str, price: str, rate: str = "20") -> InvoiceLine:
    category = VatCategory.STANDARD if D(rate) else VatCategory.EXEMPT
    reason = None if D(rate) else "Art. 261 CGI"
    return InvoiceLine("", description, D(quantity), unit, D(price), category, D(rate), reason)


def issued(operation: OperationCategory, *lines: InvoiceLine, currency: str = "EUR") -> Invoice:
    details = InvoiceDetails(operation=operation)
    invoice = Invoice.draft(at=AT, customer_id=CUSTOMER, currency=currency, details=details)
    for line in lines:
        invoice.add_line(at=AT, line=line)
    invoice.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=date(2026, 3, 9),
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    return invoice


def credit(invoice: Invoice, request: CreditRequest) -> Invoice:
    note, lines = Invoice.credit_note(at=AT, source=invoice.creditable(), request=request)
    number = "CN-2026-00001"
    day = date(2026, 3, 10)
    note.issue(at=AT, number=number, issue_date=day, not_before=None, buyer=BUYER, seller=SELLER)
    invoice.record_credit(at=AT, credit_note_id=note.id, number=number, credit=lines)
    return note


def by_account(movements: object) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for m in movements:  # type: ignore[attr-defined]
        totals[m.account] = totals.get(m.account, D(0)) + m.amount
    return totals


def services_invoice() -> Invoice:
    # 3 days × 650.00 at 20 %: 1,950.00 + 390.00; 2 books × 12.00 at 5.5 %: 24.00 + 1.32
    return issued(
        OperationCategory.SERVICES,
        a_line("Audit", "3", "day", "650.00"),
        a_line("Book", "2", "piece", "12.00", "5.5"),
    )


def test_an_invoice_debits_the_customer_and_credits_revenue_and_vat_per_rate() -> None:
    entry = entry_of(services_invoice(), AccountMapping(), None)
    assert by_account(entry.movements) == {
        "411": D("2365.32"),
        "706": D("-1974.00"),
        "44571": D("-391.32"),
    }
    customer = entry.movements[0]
    assert (customer.aux_account, customer.aux_label) == ("C0123456789", "Martin SA")
    assert customer_code(CUSTOMER) == "C0123456789"
    assert [m.label for m in entry.movements][-2:] == [
        "Facture INV-2026-00001 Martin SA TVA 5.5 %",
        "Facture INV-2026-00001 Martin SA TVA 20 %",
    ]
    assert sum(m.amount for m in entry.movements) == 0


def test_a_credit_note_is_the_invoice_entry_reversed() -> None:
    invoice = services_invoice()
    note = credit(invoice, CreditRequest(quantities={"1": D(1)}))  # one day: 650.00 + 130.00
    entry = entry_of(note, AccountMapping(), invoice)
    assert by_account(entry.movements) == {
        "411": D("-780.00"),
        "706": D("650.00"),
        "44571": D("130.00"),
    }
    assert entry.label == "Avoir CN-2026-00001 Martin SA"
    whole = credit(invoice, CreditRequest())
    reversed_rest = by_account(entry_of(whole, AccountMapping(), invoice).movements)
    assert reversed_rest == {"411": D("-1585.32"), "706": D("1324.00"), "44571": D("261.32")}


def test_goods_go_to_707_and_a_mixed_invoice_splits_by_its_lines_units() -> None:
    goods = issued(OperationCategory.GOODS, a_line("Router", "2", "piece", "150.00"))
    assert by_account(entry_of(goods, AccountMapping(), None).movements)["707"] == D("-300.00")
    # 2 hours of installation (services, 160.00) and a router (goods, 300.00)
    both = issued(
        OperationCategory.BOTH,
        a_line("Installation", "2", "hour", "80.00"),
        a_line("Router", "1", "piece", "300.00"),
    )
    entry = entry_of(both, AccountMapping(), None)
    assert by_account(entry.movements) == {
        "411": D("552.00"),
        "706": D("-160.00"),
        "707": D("-300.00"),
        "44571": D("-92.00"),
    }
    # a credit note of 276.00 incl. tax takes half of each breakdown: 80.00 and 150.00
    note = credit(both, CreditRequest(amount=D("276.00")))
    reversed_half = by_account(entry_of(note, AccountMapping(), both).movements)
    assert reversed_half == {
        "411": D("-276.00"),
        "706": D("80.00"),
        "707": D("150.00"),
        "44571": D("46.00"),
    }


def test_the_mapping_overrides_accounts_vat_sub_accounts_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    given_accounts = {
        "customers": "411000",
        "services": "706100",
        "vat_by_rate": {"20.0": "445720", "5.50": "445755"},
        "labels": {"445720": "TVA collectée 20 %"},
        "journal_code": "VT",
    }
    path.write_text(json.dumps(given_accounts), encoding="utf-8")
    mapping = load_mapping(path)
    entry = entry_of(services_invoice(), mapping, None)
    assert by_account(entry.movements) == {
        "411000": D("2365.32"),
        "706100": D("-1974.00"),
        "445755": D("-1.32"),
        "445720": D("-390.00"),
    }
    records = fec_records([entry], mapping)
    assert {r[0] for r in records} == {"VT"}
    assert [r[5] for r in records if r[4] == "445720"] == ["TVA collectée 20 %"]
    assert load_mapping(None) == AccountMapping()


@pytest.mark.parametrize(
    "given_accounts",
    [
        {"customer": "411"},
        {"vat": "445 71"},
        {"vat_by_rate": {"twenty": "445720"}},
        {"labels": ["x"]},
        {"journal_label": ""},
        ["411"],
    ],
)
def test_a_bad_mapping_is_refused_naming_what_is_wrong(given_accounts: object) -> None:
    with pytest.raises(InvalidAccountMapping):
        mapping_of(given_accounts)


def test_a_missing_or_malformed_mapping_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidAccountMapping, match=r"accounts\.json"):
        load_mapping(tmp_path / "accounts.json")
    (tmp_path / "accounts.json").write_text("{", encoding="utf-8")
    with pytest.raises(InvalidAccountMapping):
        load_mapping(tmp_path / "accounts.json")


def test_the_fec_has_the_18_columns_yyyymmdd_dates_and_decimal_commas() -> None:
    invoice = services_invoice()
    entry = entry_of(invoice, AccountMapping(), None)
    text = fec_text(fec_records([entry], AccountMapping()))
    lines = text.split("\r\n")
    assert lines[-1] == ""
    rows = [line.split("\t") for line in lines[:-1]]
    assert rows[0] == list(FEC_COLUMNS)
    assert len(FEC_COLUMNS) == 18
    assert all(len(row) == 18 for row in rows)
    customer = dict(zip(FEC_COLUMNS, rows[1], strict=True))
    assert customer == {
        "JournalCode": "VE",
        "JournalLib": "Ventes",
        "EcritureNum": "1",
        "EcritureDate": "20260309",
        "CompteNum": "411",
        "CompteLib": "Clients",
        "CompAuxNum": "C0123456789",
        "CompAuxLib": "Martin SA",
        "PieceRef": "INV-2026-00001",
        "PieceDate": "20260309",
        "EcritureLib": "Facture INV-2026-00001 Martin SA",
        "Debit": "2365,32",
        "Credit": "0,00",
        "EcritureLet": "",
        "DateLet": "",
        "ValidDate": "20260309",
        "Montantdevise": "",
        "Idevise": "",
    }
    revenue = dict(zip(FEC_COLUMNS, rows[2], strict=True))
    assert (revenue["CompteNum"], revenue["Debit"], revenue["Credit"]) == ("706", "0,00", "1974,00")
    assert revenue["CompAuxNum"] == ""
    piped = fec_text(fec_records([entry], AccountMapping()), "|").split("\r\n")
    assert piped[0] == "|".join(FEC_COLUMNS)
    assert fec_amount(D("1234.5")) == "1234,50"
    assert fec_amount(D("0")) == "0,00"
    assert fec_filename("732829320", date(2026, 12, 31)) == "732829320FEC20261231.txt"


def test_text_holding_a_separator_or_line_break_stays_in_its_field() -> None:
    odd = Buyer("Martin | Fils\tSA\nLyon", None)
    invoice = Invoice.draft(
        at=AT,
        customer_id=CUSTOMER,
        currency="EUR",
        details=InvoiceDetails(operation=OperationCategory.SERVICES),
    )
    invoice.add_line(at=AT, line=a_line("Audit", "1", "day", "100.00"))
    invoice.issue(
        at=AT,
        number="INV-2026-00002",
        issue_date=date(2026, 3, 9),
        not_before=None,
        buyer=odd,
        seller=SELLER,
    )
    for separator in ("\t", "|"):
        lines = fec_text(
            fec_records([entry_of(invoice, AccountMapping(), None)], AccountMapping()), separator
        )
        assert all(len(line.split(separator)) == 18 for line in lines.split("\r\n")[:-1])
    assert "Martin   Fils SA Lyon" in lines


def test_entries_are_numbered_in_one_continuous_sequence() -> None:
    invoice = services_invoice()
    note = credit(invoice, CreditRequest(quantities={"2": D(1)}))
    entries = [entry_of(invoice, AccountMapping(), None), entry_of(note, AccountMapping(), invoice)]
    records = fec_records(entries, AccountMapping())
    assert [r[2] for r in records] == ["1", "1", "1", "1", "2", "2", "2"]
    assert [r[8] for r in records] == ["INV-2026-00001"] * 4 + ["CN-2026-00001"] * 3


def test_an_unbalanced_entry_is_refused() -> None:
    entry = entry_of(services_invoice(), AccountMapping(), None)
    first = entry.movements[0]
    tampered = type(entry)(
        **{
            **vars(entry),
            "movements": (
                type(first)(**{**vars(first), "amount": first.amount + D("0.01")}),
                *entry.movements[1:],
            ),
        }
    )
    with pytest.raises(UnbalancedEntry, match=r"INV-2026-00001 is off by 0\.01"):
        check_balanced(tampered)


def test_the_sales_journal_gives_net_and_vat_per_rate_credit_notes_negative() -> None:
    invoice = services_invoice()
    note = credit(invoice, CreditRequest(quantities={"1": D(1)}))
    rows = [journal_row(invoice), journal_row(note)]
    assert rows[0].net_by_rate == {"5.5": D("24.00"), "20": D("1950.00")}
    assert rows[0].vat_by_rate == {"5.5": D("1.32"), "20": D("390.00")}
    assert (rows[0].net, rows[0].vat, rows[0].gross) == (D("1974.00"), D("391.32"), D("2365.32"))
    assert (rows[1].net, rows[1].gross, rows[1].credited_number) == (
        D("-650.00"),
        D("-780.00"),
        "INV-2026-00001",
    )
    lines = journal_csv(rows).split("\r\n")
    assert lines[0] == (
        "date,number,kind,customer,currency,net 5.5 %,vat 5.5 %,net 20 %,vat 20 %,net,vat,gross"
    )
    assert lines[1].split(",") == [
        *("2026-03-09", "INV-2026-00001", "invoice", "Martin SA", "EUR"),
        *("24.00", "1.32", "1950.00", "390.00", "1974.00", "391.32", "2365.32"),
    ]
    assert lines[2].split(",") == [
        *("2026-03-10", "CN-2026-00001", "credit_note", "Martin SA", "EUR"),
        *("", "", "-650.00", "-130.00", "-650.00", "-130.00", "-780.00"),
    ]


prices = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
quantities = st.decimals(min_value=D("0.001"), max_value=D("999"), places=3)
rates = st.sampled_from(["20", "10", "5.5", "2.1", "0"])
units = st.sampled_from(["hour", "piece", "day", "kg"])
line_args = st.tuples(quantities, units, prices, rates)


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(line_args, min_size=1, max_size=5),
    operation=st.sampled_from(list(OperationCategory)),
    discount=st.sampled_from([None, D("7.5")]),
    credited_share=st.decimals(min_value=D("0.01"), max_value=D("0.99"), places=2),
)
def test_every_entry_balances_and_its_credit_note_mirrors_it(
    lines: list[tuple[Decimal, str, Decimal, str]],
    operation: OperationCategory,
    discount: Decimal | None,
    credited_share: Decimal,
) -> None:
    details = InvoiceDetails(operation=operation, discounts=[discount] if discount else [])
    invoice = Invoice.draft(at=AT, customer_id=CUSTOMER, currency="EUR", details=details)
    for quantity, unit, price, rate in lines:
        invoice.add_line(at=AT, line=a_line("x", str(quantity), unit, str(price), rate))
    invoice.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=date(2026, 3, 9),
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    entry = entry_of(invoice, AccountMapping(), None)
    assert sum(m.amount for m in entry.movements) == 0
    assert by_account(entry.movements).get("411", D(0)) == invoice.totals().gross
    gross = invoice.totals().gross
    assume(gross > D("0.01"))  # a credit note takes something off
    amount = max((gross * credited_share).quantize(D("0.01")), D("0.01"))
    note = credit(invoice, CreditRequest(amount=amount))
    reversed_entry = entry_of(note, AccountMapping(), invoice)
    assert sum(m.amount for m in reversed_entry.movements) == 0
    assert by_account(reversed_entry.movements).get("411", D(0)) == -note.totals().gross


def test_a_deposit_invoice_credits_advances_and_the_final_invoice_takes_them_back() -> None:
    # a deposit of 300.00 + 60.00 VAT is an advance (4191), not revenue
    deposit = Invoice.draft(
        at=AT,
        customer_id=CUSTOMER,
        currency="EUR",
        details=InvoiceDetails(operation=OperationCategory.SERVICES),
    )
    deposit.state_source(at=AT, source=InvoiceSource(SourceKind.DEPOSIT, uuid4()))
    deposit.add_line(at=AT, line=a_line("Deposit, 30 %", "1", "C62", "300.00"))
    deposit.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=date(2026, 3, 9),
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    assert by_account(entry_of(deposit, AccountMapping(), None).movements) == {
        "411": D("360.00"),
        "4191": D("-300.00"),
        "44571": D("-60.00"),
    }
    # the final invoice, 1,000.00 + 200.00, deducts the deposit: 840.00 left to pay
    final = issued(OperationCategory.SERVICES, a_line("Audit", "1", "LS", "1000.00"))
    advance = deposit.totals().amounts
    whole = entry_of(final, AccountMapping(), None, [(D("360.00"), advance)])
    assert by_account(whole.movements) == {
        "411": D("840.00"),
        "706": D("-1000.00"),
        "4191": D("300.00"),
        "44571": D("-140.00"),  # 200.00 collected less the deposit's 60.00
    }
    # half of it deducted: 150.00 of advance and 30.00 of VAT taken back
    half = entry_of(final, AccountMapping(), None, [(D("180.00"), advance)])
    assert by_account(half.movements) == {
        "411": D("1020.00"),
        "706": D("-1000.00"),
        "4191": D("150.00"),
        "44571": D("-170.00"),
    }
    note = credit(deposit, CreditRequest())  # a deposit given back leaves the advances
    assert by_account(entry_of(note, AccountMapping(), deposit).movements) == {
        "411": D("-360.00"),
        "4191": D("300.00"),
        "44571": D("60.00"),
    }
