"""The Invoice aggregate's rules, each with its named error."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.errors import (
    BuyerVatNumberRequired,
    CreditExceedsInvoice,
    CreditNoteBeforeInvoice,
    EmptyInvoice,
    ExemptionReasonConflict,
    InvalidInput,
    InvalidTransition,
    IssueDateBeforePrevious,
    IssueDateInFuture,
    NotCreditable,
    OutOfScopeVatMixed,
    UnknownCurrency,
    UnknownLine,
    UnknownUnitCode,
    UnknownVatCategory,
    VatCategoryMismatch,
)
from domain.invoice import DocumentKind, Invoice, InvoiceStatus
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.values import Discount, DiscountKind
from tests.unit.replay import replay, state_of
from tests.unit.sellers import SELLER

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TODAY = AT.date()
D = Decimal
V = VatCategory
BUYER = Buyer("Martin SA", "FR40303265045")


def a_line(
    price: str = "100.00",
    quantity: str = "2",
    category: VatCategory = V.STANDARD,
    rate: str = "20",
    reason: str | None = None,
    discount: Discount | None = None,
) -> InvoiceLine:
    return InvoiceLine(
        "", "Work", D(quantity), "hour", D(price), category, D(rate), reason, discount
    )


def a_draft(*lines: InvoiceLine, discounts: list[Decimal] | None = None) -> Invoice:
    details = InvoiceDetails(
        operation=OperationCategory.SERVICES,
        payment_terms=PaymentTerms(TermsKind.NET, 30),
        discounts=discounts or [],
    )
    invoice = Invoice.draft(at=AT, customer_id=uuid4(), currency="EUR", details=details)
    for line in lines or (a_line(),):
        invoice.add_line(at=AT, line=line)
    return invoice


def issued(*lines: InvoiceLine, on: date = TODAY) -> Invoice:
    invoice = a_draft(*lines)
    invoice.issue(
        at=AT, number="INV-2026-00001", issue_date=on, not_before=None, buyer=BUYER, seller=SELLER
    )
    return invoice


# -- drafts and lines -----------------------------------------------------------------------


def test_a_draft_needs_a_customer_and_a_known_currency() -> None:
    details = InvoiceDetails(operation=OperationCategory.GOODS)
    with pytest.raises(InvalidInput):
        Invoice.draft(at=AT, customer_id=None, currency="EUR", details=details)  # type: ignore[arg-type]
    with pytest.raises(UnknownCurrency):
        Invoice.draft(at=AT, customer_id=uuid4(), currency="EUX", details=details)


def test_a_line_keeps_the_rec_20_code_of_its_unit() -> None:
    invoice = a_draft(a_line())
    assert invoice.lines["1"].unit == "HUR"
    with pytest.raises(UnknownUnitCode):
        invoice.add_line(at=AT, line=InvoiceLine("", "x", D(1), "bucket", D(1), V.STANDARD, D(20)))


@pytest.mark.parametrize(
    ("category", "rate", "reason"),
    [
        (V.STANDARD, "0", None),
        (V.STANDARD, "20", "exempt anyway"),
        (V.ZERO_RATED, "5.5", None),
        (V.EXEMPT, "0", None),
        (V.EXEMPT, "20", "Art. 261 CGI"),
        (V.REVERSE_CHARGE, "0", None),
        (V.INTRA_EU, "0", " "),
        (V.EXPORT, "0", None),
        (V.OUT_OF_SCOPE, "0", None),
    ],
)
def test_a_vat_category_takes_its_rate_and_reason(
    category: VatCategory, rate: str, reason: str | None
) -> None:
    invoice = a_draft()
    with pytest.raises(VatCategoryMismatch):
        invoice.add_line(at=AT, line=a_line(category=category, rate=rate, reason=reason))
    assert len(invoice.pending_events) == 2  # drafted and its first line, nothing more


def test_an_unknown_vat_category_is_refused() -> None:
    with pytest.raises(UnknownVatCategory):
        a_line(category="X")  # type: ignore[arg-type]


def test_one_category_states_one_exemption_reason() -> None:
    invoice = a_draft(a_line(category=V.EXEMPT, rate="0", reason="Art. 261 4 CGI"))
    with pytest.raises(ExemptionReasonConflict):
        invoice.add_line(at=AT, line=a_line(category=V.EXEMPT, rate="0", reason="Art. 293 B"))


def test_lines_outside_the_scope_of_vat_are_not_mixed_with_others() -> None:
    invoice = a_draft(a_line())
    with pytest.raises(OutOfScopeVatMixed):
        invoice.add_line(at=AT, line=a_line(category=V.OUT_OF_SCOPE, rate="0", reason="Débours"))


def test_totals_give_base_and_vat_per_category_and_rate_after_the_document_discount() -> None:
    invoice = a_draft(
        a_line("650.00", "3"),  # 1,950.00
        a_line("20.50", "2", rate="5.5"),  # 41.00
        a_line("100.00", "1", V.EXPORT, "0", "Export, art. 262 I CGI"),  # 100.00
        a_line("10.00", "5", discount=Discount(DiscountKind.AMOUNT, D(5))),  # 45.00
        discounts=[D(10)],
    )
    totals = invoice.totals()
    assert totals.lines_net == D("2136.00")
    assert totals.amounts.bases == {"G:0": D("90.00"), "S:20": D("1795.50"), "S:5.5": D("36.90")}
    assert totals.amounts.vats == {"G:0": D("0.00"), "S:20": D("359.10"), "S:5.5": D("2.03")}
    assert totals.document_discount == D("213.60")
    assert totals.net == D("1922.40")
    assert totals.gross == D("2283.53")
    assert invoice.amount_due == D("2283.53")


def test_a_change_to_a_line_that_changes_nothing_records_nothing() -> None:
    invoice = a_draft()
    invoice.collect_events()
    invoice.change_line("1", at=AT, quantity=D(2))
    assert invoice.collect_events() == []
    invoice.change_line("1", at=AT, quantity=D(3), unit="day")
    assert invoice.lines["1"].unit == "DAY"
    with pytest.raises(UnknownLine):
        invoice.remove_line("9", at=AT)
    with pytest.raises(InvalidInput):
        invoice.change_line("1", at=AT, unit_cost=D(1))


# -- issuing ----------------------------------------------------------------------------------


def test_issuing_records_number_dates_buyer_and_totals_and_freezes_the_invoice() -> None:
    invoice = issued(on=date(2026, 3, 9))
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.number == "INV-2026-00001"
    assert invoice.due_date == date(2026, 4, 8)
    assert invoice.buyer == BUYER
    assert invoice.issued_amounts == invoice.totals().amounts
    assert invoice.recovery_indemnity == D(40)
    for verb in (
        lambda: invoice.add_line(at=AT, line=a_line()),
        lambda: invoice.change_line("1", at=AT, quantity=D(1)),
        lambda: invoice.remove_line("1", at=AT),
        lambda: invoice.change_details(at=AT, notes="late"),
        lambda: invoice.issue(
            at=AT,
            number="INV-2026-00002",
            issue_date=TODAY,
            not_before=None,
            buyer=BUYER,
            seller=SELLER,
        ),
    ):
        with pytest.raises(InvalidTransition):
            verb()
    assert state_of(replay(invoice.collect_events(), Invoice)) == state_of(invoice)


def test_an_invoice_without_lines_is_not_issued() -> None:
    invoice = a_draft()
    invoice.remove_line("1", at=AT)
    with pytest.raises(EmptyInvoice):
        invoice.issue(
            at=AT,
            number="INV-2026-00001",
            issue_date=TODAY,
            not_before=None,
            buyer=BUYER,
            seller=SELLER,
        )


def test_an_issue_date_is_neither_in_the_future_nor_before_the_previous_number() -> None:
    invoice = a_draft()
    with pytest.raises(IssueDateInFuture):
        invoice.issue(
            at=AT,
            number="INV-2026-00002",
            issue_date=date(2026, 3, 11),
            not_before=None,
            buyer=BUYER,
            seller=SELLER,
        )
    with pytest.raises(IssueDateBeforePrevious):
        invoice.issue(
            at=AT,
            number="INV-2026-00002",
            issue_date=date(2026, 3, 8),
            not_before=date(2026, 3, 9),
            buyer=BUYER,
            seller=SELLER,
        )
    invoice.issue(
        at=AT,
        number="INV-2026-00002",
        issue_date=date(2026, 3, 9),
        not_before=date(2026, 3, 9),
        buyer=BUYER,
        seller=SELLER,
    )


@pytest.mark.parametrize("category", [V.REVERSE_CHARGE, V.INTRA_EU])
def test_reverse_charge_and_intra_eu_supplies_need_the_buyers_vat_number(
    category: VatCategory,
) -> None:
    invoice = a_draft(a_line(category=category, rate="0", reason="Autoliquidation"))
    with pytest.raises(BuyerVatNumberRequired):
        invoice.issue(
            at=AT,
            number="INV-2026-00001",
            issue_date=TODAY,
            not_before=None,
            buyer=Buyer("Martin SA"),
            seller=SELLER,
        )


# -- credit notes -----------------------------------------------------------------------------


def credit(invoice: Invoice, request: CreditRequest, on: date = TODAY, n: int = 1) -> Invoice:
    note, lines = Invoice.credit_note(at=AT, source=invoice.creditable(), request=request)
    number = f"CN-2026-{n:05d}"
    note.issue(at=AT, number=number, issue_date=on, not_before=None, buyer=BUYER, seller=SELLER)
    invoice.record_credit(at=AT, credit_note_id=note.id, number=number, credit=lines)
    return note


def test_a_whole_credit_note_mirrors_the_invoice_and_leaves_nothing_due() -> None:
    invoice = issued(a_line("100.00", "2"), a_line("30.00", "1", rate="10"))
    note = credit(invoice, CreditRequest())
    assert note.kind == DocumentKind.CREDIT_NOTE
    assert note.credited is not None
    assert note.credited.number == "INV-2026-00001"
    assert note.totals().amounts == invoice.totals().amounts
    assert [line.description for line in note.lines.values()] == ["Work", "Work"]
    assert invoice.amount_due == 0
    with pytest.raises(CreditExceedsInvoice):
        credit(invoice, CreditRequest(), n=2)


def test_a_partial_credit_note_by_quantities_then_the_remainder() -> None:
    invoice = issued(a_line("100.00", "2"), a_line("30.00", "1", rate="10"))
    first = credit(invoice, CreditRequest(quantities={"1": D(1)}))
    assert first.totals().gross == D("120.00")
    assert invoice.amount_due == D("153.00")
    with pytest.raises(CreditExceedsInvoice):
        credit(invoice, CreditRequest(quantities={"1": D(2)}), n=2)
    rest = credit(invoice, CreditRequest(), n=2)
    assert rest.totals().gross == D("153.00")
    assert invoice.amount_due == 0
    assert invoice.credit_notes == {"CN-2026-00001": first.id, "CN-2026-00002": rest.id}


def test_a_credit_note_of_an_amount_is_shared_over_the_breakdowns() -> None:
    invoice = issued(a_line("100.00", "1"), a_line("100.00", "1", V.EXEMPT, "0", "Art. 261"))
    note = credit(invoice, CreditRequest(amount=D("110.00")))
    assert note.totals().gross == D("110.00")
    assert set(note.totals().amounts.bases) == {"S:20", "E:0"}
    assert invoice.amount_due == D("110.00")
    with pytest.raises(CreditExceedsInvoice):
        credit(invoice, CreditRequest(amount=D("110.01")), n=2)


def test_a_credit_note_is_refused_what_its_invoice_does_not_allow() -> None:
    draft = a_draft()
    with pytest.raises(InvalidTransition):
        draft.creditable()
    invoice = issued(on=date(2026, 3, 9))
    with pytest.raises(InvalidInput):
        credit(invoice, CreditRequest(quantities={"1": D(1)}, amount=D(1)))
    with pytest.raises(UnknownLine):
        credit(invoice, CreditRequest(quantities={"7": D(1)}))
    with pytest.raises(CreditNoteBeforeInvoice):
        credit(invoice, CreditRequest(), on=date(2026, 3, 8))
    note = credit(invoice, CreditRequest(amount=D(10)))
    with pytest.raises(NotCreditable):
        note.creditable()
