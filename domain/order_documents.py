"""An order's invoices issued as documents of their own (issue 14, O5).

Since invoices became `Invoice` aggregates, an order invoice is drafted and issued as
one in the invoicing command, and the order records it in the same transaction with
what the order's rules need: the quantities invoiced and the amounts per VAT rate (the
order's `Invoice` value, as before), plus the document's id and which document line
bills which order line (`DocumentRef`). Credit notes and payments then go through the
document; a credit note is followed up on the order (quantities re-opened, deposits
given back) by `Order.follow_credit_note`.

Deposits: a final invoice deducts what the order's deposits have left, oldest deposit
first, and states which deposit invoices and how much of each (`deposit_deductions`).

`OrderDocuments` is the mixin of `domain.order.Order` with these verbs; their events
stay declared on the aggregate (`_record_document`, `_credit`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from domain.errors import InvalidInput, OverCrediting, UnknownInvoice
from domain.invoice_deposits import DepositDeduction
from domain.invoicing import Amounts, CreditNote, Invoice, InvoiceKind
from domain.order_invoicing import OrderInvoicing
from domain.values import ZERO, in_money_context


@dataclass(frozen=True)
class DocumentRef:
    """The invoice document that holds one of the order's invoice numbers: its id, its
    issue date, and per document line id the order line it bills."""

    invoice_id: UUID
    issue_date: date
    lines: dict[str, str] = field(default_factory=dict)


@in_money_context
def by_rate(amounts: Amounts) -> Amounts:
    """A document's amounts per VAT breakdown (`S:20`) as the order keeps them, per rate
    (`20`): breakdowns of one rate add up."""
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for key, base in amounts.bases.items():
        rate = key.split(":")[-1]
        bases[rate] = bases.get(rate, ZERO) + base
        vats[rate] = vats.get(rate, ZERO) + amounts.vats.get(key, ZERO)
    return Amounts(bases, vats)


def deposits_left(deposits: Iterable[tuple[str, Decimal]], balance: Decimal) -> dict[str, Decimal]:
    """What each deposit (number, incl. tax less its credit notes) has not yet given to an
    invoice, when `balance` is what all of them have left: invoices took from the oldest
    deposit first."""
    deposits = [(n, max(ZERO, g)) for n, g in deposits]
    taken = sum((g for _, g in deposits), ZERO) - max(ZERO, balance)
    left: dict[str, Decimal] = {}
    for number, gross in deposits:
        used = min(gross, max(ZERO, taken))
        taken -= used
        left[number] = gross - used
    return left


def deposit_deductions(left: dict[str, Decimal], amount: Decimal) -> list[tuple[str, Decimal]]:
    """`amount` taken from the deposits' `left`, oldest first: (number, amount) each."""
    taken: list[tuple[str, Decimal]] = []
    for number, available in left.items():
        if amount <= 0:
            break
        part = min(available, amount)
        if part > 0:
            taken.append((number, part))
            amount -= part
    return taken


class OrderDocuments(OrderInvoicing):
    """The order's side of its invoices issued as documents of their own."""

    def record_invoice_document(
        self,
        at: datetime,
        number: str,
        document: DocumentRef,
        quantities: Mapping[str, Decimal] | None = None,
        percent: Decimal | None = None,
        amount: Decimal | None = None,
    ) -> Invoice:
        """Record the invoice of `quantities` (or the deposit of `percent` or `amount`)
        issued as the document `document` under `number`, by the same rules as `invoice`
        and `deposit_invoice`; return it as the order keeps it."""
        self._require("invoiced")
        self._new_number(number)
        if quantities is not None:
            invoice = self.invoice_of(at, number, quantities)
            unknown = set(document.lines.values()) - set(invoice.lines)
            if unknown or len(document.lines) != len(invoice.lines):
                raise InvalidInput("the document's lines must bill the invoiced order lines")
        else:
            invoice = self.deposit_of(at, number, percent, amount)
        self._record_document(at=at, invoice=invoice, document=document)
        return invoice

    def deposit_deductions(self, amount: Decimal) -> list[DepositDeduction]:
        """The deposit invoices an invoice deducting `amount` takes it from, oldest first."""
        deposits = [
            (n, i.amounts.gross - self.credited_amounts(n).gross)
            for n, i in self.invoices.items()
            if i.kind == InvoiceKind.DEPOSIT
        ]
        left = deposits_left(deposits, self.deposit_balance())
        return [
            DepositDeduction(n, part, self.documents[n].invoice_id if n in self.documents else None)
            for n, part in deposit_deductions(left, amount)
        ]

    def follow_credit_note(
        self,
        at: datetime,
        number: str,
        invoice_number: str,
        quantities: Mapping[str, Decimal],
        amounts: Amounts,
    ) -> None:
        """Record a credit note issued against one of the order's invoice documents:
        `quantities` per document line re-open the order lines they billed; a deposit is
        credited only for what invoices have not deducted of it."""
        self._require("credited")
        self._new_number(number)
        document = self.documents.get(invoice_number)
        if document is None:
            raise UnknownInvoice(f"no invoice document {invoice_number} on this order")
        invoice = self.invoices[invoice_number]
        credited = {document.lines[k]: q for k, q in quantities.items() if k in document.lines}
        amounts = by_rate(amounts)
        if invoice.kind == InvoiceKind.DEPOSIT and amounts.gross > self.deposit_balance():
            raise OverCrediting(
                f"only {self.deposit_balance()} of deposits is not yet deducted from invoices"
            )
        self._credit(at=at, credit_note=CreditNote(number, invoice_number, at, credited, amounts))

    def _record_document(self, at: datetime, invoice: Invoice, document: DocumentRef) -> None:
        raise NotImplementedError  # Order.InvoiceDocumentRecorded
