"""Request and response bodies of the invoice routes (issue 14): each request builds the
domain's value object the command takes (`InvoiceDetails`, `InvoiceLine`, `CreditRequest`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from domain.invoice import Invoice
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory, group_of
from domain.invoice_payments import is_overdue
from domain.invoice_terms import (
    MAX_NET_DAYS,
    InvoiceDetails,
    OperationCategory,
    PaymentTerms,
    TermsKind,
)
from domain.values import DiscountMode
from interfaces.http.routes.invoice_parties import BuyerView, SellerView, buyer_view, seller_view
from interfaces.http.routes.params import Day
from interfaces.http.routes.quote_schemas import DiscountIn
from interfaces.http.schemas import (
    Body,
    InCurrency,
    MoneyOut,
    NumberOut,
    Percent,
    PositiveAmount,
    Quantity,
    ShortText,
    Text,
    UnitPrice,
)

LineId = Annotated[str, Field(min_length=1, max_length=20)]


class PaymentTermsIn(BaseModel):
    """On receipt; net N days (1–60); N days end of month (1–45)."""

    kind: TermsKind = TermsKind.ON_RECEIPT
    days: int = Field(default=0, ge=0, le=MAX_NET_DAYS)

    def value_object(self) -> PaymentTerms:
        return PaymentTerms(self.kind, self.days)


class DetailsIn(Body):
    """The terms of a draft that a PATCH may change; the others stay as they are."""

    operation: OperationCategory | None = None
    payment_terms: PaymentTermsIn | None = None
    late_penalty_rate: Percent | None = Field(
        default=None, description="Percent a year; null: the ECB's rate plus 10 points"
    )
    early_payment_discount: Percent | None = Field(
        default=None, description="Percent; null: no discount for early payment"
    )
    order_reference: ShortText | None = Field(default=None, examples=["PO-2026-118"])
    notes: Text | None = None
    discounts: list[Percent] | None = Field(default=None, max_length=10, examples=[["5"]])
    discount_mode: DiscountMode | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given; null clears a rate, a reference or the notes, and leaves the
        fields that cannot be empty (operation, terms, discounts, mode) as they are."""
        changed = self.model_dump(exclude_unset=True, exclude={"reason"})
        for name in ("operation", "payment_terms", "discounts", "discount_mode"):
            if name in changed and changed[name] is None:
                del changed[name]
        if self.payment_terms is not None:
            changed["payment_terms"] = self.payment_terms.value_object()
        return changed


class InvoiceDraftIn(DetailsIn):
    """A draft invoice (pro forma) of free lines for a customer."""

    customer_id: UUID
    currency: str | None = Field(
        default=None, min_length=3, max_length=3, description="The customer's when absent"
    )
    operation: OperationCategory = Field(
        description="Goods, services or both: a mention the invoice must carry"
    )

    def details(self) -> InvoiceDetails:
        return InvoiceDetails(
            operation=self.operation,
            payment_terms=(self.payment_terms or PaymentTermsIn()).value_object(),
            late_penalty_rate=self.late_penalty_rate,
            early_payment_discount=self.early_payment_discount,
            order_reference=self.order_reference,
            notes=self.notes,
            discounts=list(self.discounts or []),
            discount_mode=self.discount_mode or DiscountMode.CASCADING,
        )


class InvoiceLineIn(Body):
    """A line per EN 16931: E, AE, K, G and O need an exemption reason and a 0 % rate."""

    description: Text = Field(examples=["Cash register installation"])
    quantity: Quantity = Field(examples=["3"])
    unit: ShortText = Field(
        default="C62", description="A UN/ECE Rec 20 code or a word: unit, hour, day, month…"
    )
    unit_price: UnitPrice = Field(examples=["650.00"])
    vat_category: VatCategory = VatCategory.STANDARD
    vat_rate: Percent = Field(examples=["20"])
    exemption_reason: Text | None = Field(default=None, examples=["Autoliquidation"])
    discount: DiscountIn | None = None

    def line(self) -> InvoiceLine:
        discount = None if self.discount is None else self.discount.value_object()
        return InvoiceLine(
            "",
            self.description,
            self.quantity,
            self.unit,
            self.unit_price,
            self.vat_category,
            self.vat_rate,
            self.exemption_reason,
            discount,
        )


class InvoiceLinePatch(Body):
    """Fields of a draft's line to change; the others stay as they are."""

    description: Text | None = None
    quantity: Quantity | None = None
    unit: ShortText | None = None
    unit_price: UnitPrice | None = None
    vat_category: VatCategory | None = None
    vat_rate: Percent | None = None
    exemption_reason: Text | None = None
    discount: DiscountIn | None = None

    @model_validator(mode="after")
    def _something_changes(self) -> InvoiceLinePatch:
        if not self.changes():
            raise ValueError("name at least one field of the line to change")
        return self

    def changes(self) -> dict[str, Any]:
        changed = self.model_dump(exclude_unset=True, exclude={"reason"})
        if "discount" in changed:
            changed["discount"] = None if self.discount is None else self.discount.value_object()
        return changed


class IssueIn(Body):
    """The issue date: today when absent; never after today nor before the series' last."""

    issue_date: Day | None = Field(default=None, examples=["2026-11-02"])


class CreditNoteIn(IssueIn):
    """Whole (neither `quantities` nor `amount`), chosen lines, or an amount incl. tax
    (both: a 422 `invalid-input`)."""

    quantities: dict[LineId, Quantity | None] | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Per line id of the invoice, the quantity to credit; null: all that remains",
        examples=[{"1": "1", "2": None}],
    )
    amount: PositiveAmount | None = Field(default=None, examples=["120.00"])

    def request(self) -> CreditRequest:
        quantities = None if self.quantities is None else dict(self.quantities)
        return CreditRequest(quantities=quantities, amount=self.amount)


# -- responses -------------------------------------------------------------------------------


class InvoiceLineView(BaseModel):
    line_id: str
    description: str
    quantity: NumberOut
    unit: str
    unit_price: MoneyOut
    discount: DiscountIn | None
    vat_category: str
    vat_rate: NumberOut
    exemption_reason: str | None
    net: MoneyOut


class BreakdownView(BaseModel):
    """Base and VAT of one VAT category and rate (EN 16931 BG-23)."""

    category: str
    rate: NumberOut
    base: MoneyOut
    vat: MoneyOut
    exemption_reason: str | None


class InvoiceTotalsView(BaseModel):
    lines_net: MoneyOut
    document_discount: MoneyOut
    net: MoneyOut
    vat: MoneyOut
    gross: MoneyOut
    breakdown: list[BreakdownView]


class TermsView(BaseModel):
    operation: str
    payment_terms: PaymentTermsIn
    late_penalty_rate: NumberOut | None
    early_payment_discount: NumberOut | None
    order_reference: str | None
    notes: str | None
    discounts: list[NumberOut]
    discount_mode: str
    mentions: list[str] = Field(description="What the printed document states about payment")


class DepositDeductedView(BaseModel):
    """A deposit invoice this invoice deducts, and how much of it (incl. tax)."""

    number: str
    invoice_id: UUID | None
    amount: MoneyOut


class CreditedInvoiceView(BaseModel):
    id: UUID
    number: str
    issue_date: date


class InvoiceView(InCurrency):
    """An invoice or credit note as it stands (or stood, at a version or a time)."""

    id: UUID
    version: int
    kind: str
    status: str
    number: str | None
    currency: str
    customer_id: UUID
    issue_date: date | None
    due_date: date | None
    buyer: BuyerView | None = Field(description="As named on the issue date")
    seller: SellerView | None = Field(description="The company's details on the issue date")
    credited_invoice: CreditedInvoiceView | None = None
    lines: list[InvoiceLineView]
    totals: InvoiceTotalsView
    terms: TermsView
    credited: MoneyOut = Field(description="Incl. tax, by the credit notes of this invoice")
    amount_paid: MoneyOut = Field(description="Incl. tax, by the payments allocated to it")
    deposits_deducted: list[DepositDeductedView] = Field(
        default=[], description="The deposit invoices it deducts (BT-113), by number"
    )
    prepaid: MoneyOut = Field(
        default=Decimal(0), description="Incl. tax, the deposits deducted from the total"
    )
    amount_due: MoneyOut = Field(
        description="Total less deposits deducted, credit notes and payments"
    )
    payment_status: str | None = Field(description="unpaid, partly_paid or paid once issued")
    overdue: bool | None = Field(
        default=None, description="Something due after the due date, on the day `?on=` names"
    )
    credit_notes: dict[str, UUID] = Field(default={}, description="By number")
    payments: dict[str, MoneyOut] = Field(default={}, description="Amount by payment id")

    @classmethod
    def of(cls, invoice: Invoice, on: date | None = None) -> InvoiceView:
        totals, currency = invoice.totals(), invoice.currency
        reasons = {line.group: line.exemption_reason for line in invoice.lines.values()}
        breakdown = []
        for key, base in totals.amounts.bases.items():
            category, rate = group_of(key)
            vat = totals.amounts.vats[key]
            breakdown.append(
                BreakdownView(
                    category=category,
                    rate=rate,
                    base=base,
                    vat=vat,
                    exemption_reason=reasons.get(key),
                )
            )
        credited = invoice.credited
        return cls(
            id=invoice.id,
            version=invoice.version,
            kind=invoice.kind,
            status=invoice.status,
            number=invoice.number,
            currency=currency,
            customer_id=invoice.customer_id,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            buyer=buyer_view(invoice.buyer),
            seller=seller_view(invoice.seller),
            credited_invoice=None
            if credited is None
            else CreditedInvoiceView(
                id=credited.invoice_id, number=credited.number, issue_date=credited.issue_date
            ),
            lines=[_line(line, currency) for line in invoice.lines.values()],
            totals=InvoiceTotalsView(
                lines_net=totals.lines_net,
                document_discount=totals.document_discount,
                net=totals.net,
                vat=totals.vat,
                gross=totals.gross,
                breakdown=breakdown,
            ),
            terms=_terms(invoice),
            credited=invoice.credited_amounts.gross,
            amount_paid=invoice.amount_paid,
            deposits_deducted=[
                DepositDeductedView(number=d.number, invoice_id=d.invoice_id, amount=d.amount)
                for d in invoice.details.deposits
            ],
            prepaid=invoice.prepaid,
            amount_due=invoice.amount_due,
            payment_status=invoice.payment_status,
            overdue=None if on is None else is_overdue(invoice, on),
            credit_notes=invoice.credit_notes,
            payments=invoice.payments,
        )


def _line(line: InvoiceLine, currency: str) -> InvoiceLineView:
    discount = line.discount
    return InvoiceLineView(
        line_id=line.line_id,
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        unit_price=line.unit_price,
        discount=None if discount is None else DiscountIn(kind=discount.kind, value=discount.value),
        vat_category=line.vat_category,
        vat_rate=line.vat_rate,
        exemption_reason=line.exemption_reason,
        net=line.net(currency),
    )


def _terms(invoice: Invoice) -> TermsView:
    details = invoice.details
    terms = details.payment_terms
    return TermsView(
        operation=details.operation,
        payment_terms=PaymentTermsIn(kind=terms.kind, days=terms.days),
        late_penalty_rate=details.late_penalty_rate,
        early_payment_discount=details.early_payment_discount,
        order_reference=details.order_reference,
        notes=details.notes,
        discounts=details.discounts,
        discount_mode=details.discount_mode,
        mentions=mentions(details),
    )


def mentions(details: InvoiceDetails) -> list[str]:
    """The payment mentions a French invoice carries (Code de commerce, art. L441-9)."""
    rate = details.late_penalty_rate
    early = details.early_payment_discount
    return [
        "Late payment penalties: the European Central Bank's refinancing rate plus 10 points"
        if rate is None
        else f"Late payment penalties: {rate} % a year",
        "A fixed indemnity of 40 EUR for recovery costs is owed by a late business payer "
        "(art. D441-5 of the Code de commerce)",
        "No discount for early payment"
        if early is None
        else f"Discount for early payment: {early} %",
    ]
