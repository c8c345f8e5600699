"""The Factur-X EN 16931 XML (UN/CEFACT CII D16B) of an issued invoice or credit note.

Every amount comes from the invoice's own totals (`Invoice.totals()`), never recomputed
here, so the XML states what the PDF and the events state: line nets (BT-131), each VAT
breakdown's base and VAT (BG-23), the document discounts as one allowance per breakdown
(BG-20: a breakdown's base is its lines' net less its allowance), a line discount as a
line allowance (BG-27). A credit note (381) carries positive amounts and names the
invoice it corrects (BT-25); a final invoice, the deposit invoices it deducts (BT-25)
and their sum as the prepaid amount (BT-113). Payments come later and never change the
issued bytes. What the issued invoice does not say is left out rather than guessed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from lxml import etree

from adapters.documents.cii_parts import (
    NSMAP,
    Element,
    address,
    amount,
    buyer_party,
    date_102,
    el,
    french,
    number,
    payment_notes,
    seller_party,
    terms_text,
)
from domain.company_details import CompanyDetails
from domain.errors import InvalidTransition, SellerNotEstablished
from domain.invoice import DocumentKind, Invoice, InvoiceStatus
from domain.invoice_lines import InvoiceLine, VatCategory, group_of
from domain.invoice_source import SourceKind
from domain.invoice_terms import OperationCategory
from domain.values import ZERO, DiscountKind, DiscountMode, round_money

GUIDELINE = "urn:cen.eu:en16931:2017"
TYPE_CODES = {DocumentKind.INVOICE: "380", DocumentKind.CREDIT_NOTE: "381"}
DEPOSIT_INVOICE = "386"  # UNTDID 1001: prepayment invoice
# BT-23, the French "cadre de facturation": goods (B), services (S) or both (M); then 1
# for a plain invoice, 4 for a final invoice after deposits.
OPERATION_CODES = {
    OperationCategory.GOODS: "B",
    OperationCategory.SERVICES: "S",
    OperationCategory.BOTH: "M",
}
# VATEX codes (BT-121) of the categories that have exactly one.
EXEMPTION_CODES = {
    VatCategory.REVERSE_CHARGE: "VATEX-EU-AE",
    VatCategory.INTRA_EU: "VATEX-EU-IC",
    VatCategory.EXPORT: "VATEX-EU-G",
    VatCategory.OUT_OF_SCOPE: "VATEX-EU-O",
}
DISCOUNT_REASON_CODE = "95"  # UNTDID 5189: discount
SEPA_CREDIT_TRANSFER, CREDIT_TRANSFER = "58", "30"  # UNTDID 4461


def invoice_cii(invoice: Invoice, *, seller: CompanyDetails | None = None) -> bytes:
    """The Factur-X EN 16931 CII XML of an issued invoice or credit note, UTF-8.

    The seller is the one the invoice recorded when it was issued; `seller` stands in
    for it only on an invoice issued before invoices recorded it (`SellerNotEstablished`
    when neither is known)."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvalidTransition(invoice.kind.replace("_", " "), invoice.status, "exported")
    stated = _seller(invoice, seller)
    root = etree.Element(f"{{{NSMAP['rsm']}}}CrossIndustryInvoice", nsmap=NSMAP)
    _context(root, invoice)
    _document(root, invoice, stated)
    transaction = el(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines.values():
        _line(transaction, line, invoice.currency)
    _agreement(transaction, invoice, stated)
    _delivery(transaction, invoice)
    _settlement(transaction, invoice, stated)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _context(root: Element, invoice: Invoice) -> None:
    context = el(root, "rsm:ExchangedDocumentContext")
    process = el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
    framework = "4" if invoice.details.deposits else "1"
    el(process, "ram:ID", OPERATION_CODES[invoice.details.operation] + framework)
    guideline = el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    el(guideline, "ram:ID", GUIDELINE)


def _document(root: Element, invoice: Invoice, seller: CompanyDetails) -> None:
    assert invoice.number is not None
    assert invoice.issue_date is not None
    document = el(root, "rsm:ExchangedDocument")
    el(document, "ram:ID", invoice.number)
    deposit = invoice.source is not None and invoice.source.kind == SourceKind.DEPOSIT
    el(document, "ram:TypeCode", DEPOSIT_INVOICE if deposit else TYPE_CODES[invoice.kind])
    date_102(document, "ram:IssueDateTime", invoice.issue_date)
    notes = payment_notes(invoice.details, seller, invoice.recovery_indemnity, invoice.currency)
    if invoice.details.notes:
        notes.insert(0, (invoice.details.notes, "AAI"))
    for text, subject in notes:
        note = el(document, "ram:IncludedNote")
        el(note, "ram:Content", text)
        el(note, "ram:SubjectCode", subject)


def _line(transaction: Element, line: InvoiceLine, currency: str) -> None:
    item = el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    el(el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line.line_id)
    el(el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
    agreement = el(item, "ram:SpecifiedLineTradeAgreement")
    el(el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", number(line.unit_price))
    delivery = el(item, "ram:SpecifiedLineTradeDelivery")
    el(delivery, "ram:BilledQuantity", number(line.quantity), unitCode=line.unit)
    settlement = el(item, "ram:SpecifiedLineTradeSettlement")
    _category(el(settlement, "ram:ApplicableTradeTax"), line.vat_category, line.vat_rate)
    net = line.net(currency)
    if line.discount is not None:
        gross = round_money(line.quantity * line.unit_price, currency)
        percent = line.discount.value if line.discount.kind == DiscountKind.PERCENT else None
        _allowance(settlement, gross, gross - net, percent, currency, "Remise")
    summation = el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    el(summation, "ram:LineTotalAmount", amount(net, currency))


def _category(tax: Element, category: VatCategory, rate: Decimal) -> None:
    """TypeCode VAT, the category and, except outside the scope of VAT, the rate."""
    el(tax, "ram:TypeCode", "VAT")
    el(tax, "ram:CategoryCode", category.value)
    if category != VatCategory.OUT_OF_SCOPE:
        el(tax, "ram:RateApplicablePercent", number(rate))


def _allowance(
    parent: Element,
    basis: Decimal,
    off: Decimal,
    percent: Decimal | None,
    currency: str,
    reason: str,
) -> Element:
    allowance = el(parent, "ram:SpecifiedTradeAllowanceCharge")
    el(el(allowance, "ram:ChargeIndicator"), "udt:Indicator", "false")
    if percent is not None:
        el(allowance, "ram:CalculationPercent", number(percent))
    el(allowance, "ram:BasisAmount", amount(basis, currency))
    el(allowance, "ram:ActualAmount", amount(off, currency))
    el(allowance, "ram:ReasonCode", DISCOUNT_REASON_CODE)
    el(allowance, "ram:Reason", reason)
    return allowance


def _seller(invoice: Invoice, fallback: CompanyDetails | None) -> CompanyDetails:
    if invoice.seller is not None:
        return invoice.seller.details
    if fallback is None:
        raise SellerNotEstablished(f"{invoice.number} does not state its seller")
    return fallback


def _agreement(transaction: Element, invoice: Invoice, seller: CompanyDetails) -> None:
    assert invoice.buyer is not None
    agreement = el(transaction, "ram:ApplicableHeaderTradeAgreement")
    # BR-O-02: an invoice outside the scope of VAT names no VAT identifier.
    with_vat = VatCategory.OUT_OF_SCOPE not in {
        line.vat_category for line in invoice.lines.values()
    }
    seller_party(agreement, seller, with_vat=with_vat)
    buyer_party(agreement, invoice.buyer, with_vat=with_vat)
    if invoice.details.order_reference:
        order = el(agreement, "ram:BuyerOrderReferencedDocument")
        el(order, "ram:IssuerAssignedID", invoice.details.order_reference)


def _delivery(transaction: Element, invoice: Invoice) -> None:
    """Empty but for an intra-EU supply (K), which states where the goods go and when
    (BR-IC-11, BR-IC-12): the buyer's country, and the issue date, as French invoices
    that state no other date of supply mean (CGI, art. 242 nonies A)."""
    delivery = el(transaction, "ram:ApplicableHeaderTradeDelivery")
    categories = {line.vat_category for line in invoice.lines.values()}
    buyer = invoice.buyer
    ship_to_address = None if buyer is None else getattr(buyer, "delivery_address", None)
    intra_eu = VatCategory.INTRA_EU in categories and invoice.issue_date is not None
    if ship_to_address is None and intra_eu and buyer is not None:
        ship_to_address = buyer.billing_address  # the country at least (BR-IC-12)
    if ship_to_address is not None:
        ship_to = el(delivery, "ram:ShipToTradeParty")  # deliver to (BG-13, BG-15)
        address(ship_to, ship_to_address)
    if not intra_eu:
        return
    assert invoice.issue_date is not None
    event = el(delivery, "ram:ActualDeliverySupplyChainEvent")
    date_102(event, "ram:OccurrenceDateTime", invoice.issue_date)


def _settlement(transaction: Element, invoice: Invoice, seller: CompanyDetails) -> None:
    assert invoice.number is not None
    assert invoice.due_date is not None
    currency, totals = invoice.currency, invoice.totals()
    settlement = el(transaction, "ram:ApplicableHeaderTradeSettlement")
    el(settlement, "ram:PaymentReference", invoice.number)
    el(settlement, "ram:InvoiceCurrencyCode", currency)
    if invoice.kind == DocumentKind.INVOICE and seller.iban:
        means = el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        code = SEPA_CREDIT_TRANSFER if currency == "EUR" else CREDIT_TRANSFER
        el(means, "ram:TypeCode", code)
        el(el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", seller.iban)
        if seller.bic:
            institution = el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            el(institution, "ram:BICID", seller.bic)
    reasons = {line.vat_category: line.exemption_reason for line in invoice.lines.values()}
    keys = sorted(totals.amounts.bases)
    for key in keys:
        category, rate = group_of(key)
        tax = el(settlement, "ram:ApplicableTradeTax")
        el(tax, "ram:CalculatedAmount", amount(totals.amounts.vats[key], currency))
        el(tax, "ram:TypeCode", "VAT")
        if reasons.get(category):
            el(tax, "ram:ExemptionReason", reasons[category])
        el(tax, "ram:BasisAmount", amount(totals.amounts.bases[key], currency))
        el(tax, "ram:CategoryCode", category.value)
        if category in EXEMPTION_CODES:
            el(tax, "ram:ExemptionReasonCode", EXEMPTION_CODES[category])
        if category != VatCategory.OUT_OF_SCOPE:
            el(tax, "ram:RateApplicablePercent", number(rate))
    _document_allowances(settlement, invoice, keys)
    terms = el(settlement, "ram:SpecifiedTradePaymentTerms")
    el(terms, "ram:Description", _terms_description(invoice))
    date_102(terms, "ram:DueDateDateTime", invoice.due_date)
    _summation(settlement, invoice)
    if invoice.credited is not None:
        referenced = el(settlement, "ram:InvoiceReferencedDocument")
        el(referenced, "ram:IssuerAssignedID", invoice.credited.number)
        date_102(
            referenced, "ram:FormattedIssueDateTime", invoice.credited.issue_date, qualified=True
        )
    for deposit in invoice.details.deposits:  # the deposit invoices it deducts (BT-25)
        el(el(settlement, "ram:InvoiceReferencedDocument"), "ram:IssuerAssignedID", deposit.number)


def _document_allowances(settlement: Element, invoice: Invoice, keys: list[str]) -> None:
    """One allowance per VAT breakdown: its lines' net less its base (BR-S-08 …)."""
    currency, amounts = invoice.currency, invoice.totals().amounts
    nets: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in invoice.lines.values():
        nets[line.group] += line.net(currency)
    percent = _combined_percent(invoice)
    reason = _discount_reason(invoice.details.discounts, invoice.details.discount_mode)
    for key in keys:
        off = nets[key] - amounts.bases[key]
        if off == 0:
            continue
        allowance = _allowance(settlement, nets[key], off, percent, currency, reason)
        category, rate = group_of(key)
        _category(el(allowance, "ram:CategoryTradeTax"), category, rate)


def _discount_reason(discounts: list[Decimal], mode: DiscountMode) -> str:
    """The reason stated: Remise 10 % puis 5 % (cascading), Remise 10 % + 5 % (cumulative)."""
    joiner = " puis " if mode == DiscountMode.CASCADING else " + "
    return "Remise " + joiner.join(f"{french(p)} %" for p in discounts)


def _combined_percent(invoice: Invoice) -> Decimal | None:
    """The document discounts as one percentage, when there is exactly one."""
    discounts = invoice.details.discounts
    return discounts[0] if len(discounts) == 1 else None


def _terms_description(invoice: Invoice) -> str:
    if invoice.credited is not None:
        credited = invoice.credited
        return (
            f"Avoir sur la facture {credited.number} du {credited.issue_date.strftime('%d/%m/%Y')}"
        )
    return terms_text(invoice.details.payment_terms)


def _summation(settlement: Element, invoice: Invoice) -> None:
    currency, totals = invoice.currency, invoice.totals()
    summation = el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    el(summation, "ram:LineTotalAmount", amount(totals.lines_net, currency))
    el(summation, "ram:ChargeTotalAmount", amount(ZERO, currency))
    el(summation, "ram:AllowanceTotalAmount", amount(totals.document_discount, currency))
    el(summation, "ram:TaxBasisTotalAmount", amount(totals.net, currency))
    el(summation, "ram:TaxTotalAmount", amount(totals.vat, currency), currencyID=currency)
    el(summation, "ram:GrandTotalAmount", amount(totals.gross, currency))
    prepaid = round_money(invoice.prepaid, currency)  # the deposits deducted (BT-113)
    el(summation, "ram:TotalPrepaidAmount", amount(prepaid, currency))
    el(summation, "ram:DuePayableAmount", amount(totals.gross - prepaid, currency))
