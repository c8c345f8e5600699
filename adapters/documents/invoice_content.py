"""The content of an invoice or a credit note with every mention French law asks for.

Seller (legal form, capital, register, SIREN, SIRET, VAT number, address) and buyer
(name, VAT number, billing address) as issued; number, issue date and due date; the
category of operation; lines with their VAT category and rate; base and VAT per
category and rate with each exemption reason; payment terms, the late-payment rate (or
the legal default stated as such), the €40 recovery indemnity, the early-payment
discount or its absence; the order reference; for a credit note, the invoice it credits
(Code de commerce art. L441-9, L441-10, D441-5; CGI art. 242 nonies A).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.documents import formats as fmt
from adapters.documents.content import LineRow, Party, PrintedContent, TotalRow, VatRow
from adapters.documents.sales import Letterhead
from domain.company_details import CompanyDetails
from domain.invoice import Invoice
from domain.invoice_lines import InvoiceLine, VatCategory, group_of
from domain.invoice_states import DocumentKind, InvoiceStatus
from domain.invoice_terms import RECOVERY_INDEMNITY, OperationCategory, PaymentTerms, TermsKind
from domain.printed_document import PrintedKind
from domain.values import DiscountKind

OPERATIONS = {
    OperationCategory.GOODS: "livraison de biens",
    OperationCategory.SERVICES: "prestation de services",
    OperationCategory.BOTH: "livraison de biens et prestation de services",
}
CATEGORY_LABELS = {
    VatCategory.STANDARD: "Taux normal ou réduit",
    VatCategory.ZERO_RATED: "Taux zéro",
    VatCategory.EXEMPT: "Exonération",
    VatCategory.REVERSE_CHARGE: "Autoliquidation",
    VatCategory.INTRA_EU: "Livraison intracommunautaire",
    VatCategory.EXPORT: "Exportation hors UE",
    VatCategory.OUT_OF_SCOPE: "Hors champ de la TVA",
}
LEGAL_DEFAULT_PENALTY = (
    "Pénalités de retard : taux de refinancement le plus récent de la Banque centrale "
    "européenne majoré de 10 points (art. L441-10 du Code de commerce), exigibles dès le "
    "lendemain de la date d'échéance."
)


def terms_sentence(terms: PaymentTerms, due: date | None) -> str:
    """`Paiement à 30 jours nets, au plus tard le 4 décembre 2026.`"""
    if terms.kind == TermsKind.ON_RECEIPT:
        words = "Paiement à réception de la facture"
    elif terms.kind == TermsKind.NET:
        words = f"Paiement à {terms.days} jours nets à compter de la date d'émission"
    else:
        words = f"Paiement à {terms.days} jours fin de mois"
    return words + (f", au plus tard le {fmt.long_date(due)}." if due is not None else ".")


def _vat_cell(line: InvoiceLine) -> str:
    if line.vat_category == VatCategory.STANDARD:
        return fmt.percent(line.vat_rate)
    return f"{line.vat_category.value} ({fmt.percent(line.vat_rate)})"


def _rows(invoice: Invoice) -> list[LineRow]:
    rows = []
    for line in invoice.lines.values():
        discount = ""
        if line.discount is not None:
            value = line.discount.value
            discount = (
                fmt.percent(value)
                if line.discount.kind == DiscountKind.PERCENT
                else fmt.money(value, invoice.currency)
            )
        rows.append(
            LineRow(
                reference=line.line_id,
                description=line.description,
                quantity=fmt.number(line.quantity),
                unit=fmt.unit_label(line.unit),
                unit_price=fmt.money(line.unit_price, invoice.currency),
                discount=discount,
                vat=_vat_cell(line),
                net=fmt.money(line.net(invoice.currency), invoice.currency),
            )
        )
    return rows


def _vat_rows(invoice: Invoice) -> list[VatRow]:
    amounts = invoice.totals().amounts
    reasons = {line.group: line.exemption_reason or "" for line in invoice.lines.values()}
    rows = []
    for key in sorted(amounts.bases):
        category, rate = group_of(key)
        rows.append(
            VatRow(
                category=f"{category.value} — {CATEGORY_LABELS[category]}",
                rate=fmt.percent(rate),
                base=fmt.money(amounts.bases[key], invoice.currency),
                vat=fmt.money(amounts.vats.get(key, Decimal(0)), invoice.currency),
                reason=reasons.get(key, ""),
            )
        )
    return rows


def _totals(invoice: Invoice) -> list[TotalRow]:
    totals, currency = invoice.totals(), invoice.currency
    rows = [TotalRow("Total des lignes HT", fmt.money(totals.lines_net, currency))]
    if totals.document_discount:
        label = "Remise " + " + ".join(fmt.percent(p) for p in invoice.details.discounts)
        rows.append(TotalRow(label, fmt.money(-totals.document_discount, currency)))
    rows += [
        TotalRow("Total HT", fmt.money(totals.net, currency)),
        TotalRow("Total TVA", fmt.money(totals.vat, currency)),
        TotalRow("Total TTC", fmt.money(totals.gross, currency), strong=True),
    ]
    return rows


def penalty_sentence(rate: Decimal | None) -> str:
    if rate is None:
        return LEGAL_DEFAULT_PENALTY
    return (
        f"Pénalités de retard : taux annuel de {fmt.percent(rate)} appliqué aux sommes dues, "
        "exigibles dès le lendemain de la date d'échéance (art. L441-10 du Code de commerce)."
    )


def invoice_mentions(invoice: Invoice, seller: CompanyDetails, due: date | None) -> list[str]:
    """The legal sentences, in the order a reader looks for them."""
    details = invoice.details
    mentions = []
    if invoice.credited is not None:
        credited = invoice.credited
        mentions.append(
            f"Avoir se rapportant à la facture n° {credited.number} "
            f"du {fmt.long_date(credited.issue_date)}."
        )
    mentions.append(f"Catégorie de l'opération : {OPERATIONS[details.operation]}.")
    mentions.append(terms_sentence(details.payment_terms, due))
    rate = details.late_penalty_rate
    mentions.append(penalty_sentence(rate if rate is not None else seller.late_payment_rate))
    indemnity = invoice.recovery_indemnity or RECOVERY_INDEMNITY
    mentions.append(
        "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : "
        f"{fmt.money(indemnity, 'EUR')} (art. L441-10 et D441-5 du Code de commerce)."
    )
    early = details.early_payment_discount
    if early is None or early == 0:
        mentions.append("Pas d'escompte pour paiement anticipé.")
    else:
        mentions.append(f"Escompte pour paiement anticipé : {fmt.percent(early)}.")
    reasons = {(line.vat_category, line.exemption_reason) for line in invoice.lines.values()}
    for category, reason in sorted(reasons, key=lambda pair: pair[0].value):
        if reason:
            mentions.append(f"TVA — {CATEGORY_LABELS[category]} : {reason}.")
    return mentions


def invoice_content(
    invoice: Invoice, seller: CompanyDetails, buyer: Party, head: Letterhead, on: date
) -> PrintedContent:
    """An issued invoice or credit note; a draft prints as a pro forma dated `on`."""
    credit = invoice.kind == DocumentKind.CREDIT_NOTE
    issued = invoice.status == InvoiceStatus.ISSUED
    title = "Avoir" if credit else "Facture"
    day = invoice.issue_date if issued and invoice.issue_date is not None else on
    due = invoice.due_date if issued else details_due(invoice, day)
    number = invoice.number if issued and invoice.number else "PRO FORMA"
    facts = [("Date d'émission", fmt.long_date(day))]
    if due is not None:
        facts.append(("Date d'échéance", fmt.long_date(due)))
    if invoice.details.order_reference:
        facts.append(("Votre commande", invoice.details.order_reference))
    if invoice.credited is not None:
        facts.append(("Facture d'origine", invoice.credited.number))
    bank = head.bank
    notes = [invoice.details.notes] if invoice.details.notes else []
    if bank and not credit:
        notes.append(f"Règlement par virement : {bank}")
    return PrintedContent(
        kind=PrintedKind.CREDIT_NOTE if credit else PrintedKind.INVOICE,
        title=title if issued else f"{title} pro forma",
        reference=number,
        file_name=f"{title}-{number.replace(' ', '-')}.pdf",
        issued_on=day,
        seller=head.seller,
        buyer=buyer,
        facts=facts,
        lines=_rows(invoice),
        totals=_totals(invoice),
        vat_rows=_vat_rows(invoice),
        mentions=invoice_mentions(invoice, seller, due),
        notes=notes,
        footer=head.footer,
        watermark=head.watermark,
        logo=head.logo,
    )


def details_due(invoice: Invoice, day: date) -> date:
    """The due date a draft would have if issued on `day`."""
    return invoice.details.payment_terms.due_date(day)
