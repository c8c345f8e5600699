"""The content of a dunning letter (issue 15, I5): an overdue invoice, its amount due, the
days overdue, the late-payment penalties and the €40 recovery indemnity, how to pay.

Level 1 is a courteous reminder, level 2 a firmer one, level 3 and beyond a formal
notice (mise en demeure, the step before recovery proceedings). The letter is dated the
day it is issued; what it states of the invoice is the invoice as issued, and of the
payments the amount still due that day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.documents import formats as fmt
from adapters.documents.content import Party, PrintedContent, TotalRow
from adapters.documents.invoice_content import penalty_sentence
from adapters.documents.sales import Letterhead
from domain.company_details import CompanyDetails
from domain.invoice import Invoice
from domain.invoice_terms import RECOVERY_INDEMNITY
from domain.printed_document import PrintedKind

TITLES = {1: "Rappel de paiement", 2: "Relance de paiement"}
FORMAL_NOTICE = "Mise en demeure de payer"
GREETING = "Madame, Monsieur,"
CLOSING = "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées."


def letter_title(level: int) -> str:
    return TITLES.get(level, FORMAL_NOTICE)


def _requests(level: int, due: str, days: int) -> list[str]:
    """What the letter asks, firmer at each level."""
    if level == 1:
        return [
            "Il s'agit sans doute d'un oubli : nous vous remercions de bien vouloir procéder "
            "à son règlement dans les meilleurs délais.",
            "Si votre paiement nous est parvenu entre-temps, nous vous prions de ne pas tenir "
            "compte de ce courrier.",
        ]
    if level == 2:
        return [
            "Malgré notre précédent rappel, ce montant demeure impayé. Nous vous demandons "
            "de le régler sous huit jours à compter de la réception de ce courrier.",
            f"Des pénalités de retard courent depuis le {due}, et l'indemnité forfaitaire "
            "pour frais de recouvrement est due de plein droit.",
        ]
    return [
        f"Malgré nos relances, cette facture reste impayée {days} jours après son échéance. "
        "Par la présente, nous vous mettons en demeure de régler ce montant sous huit "
        "jours à compter de la réception de ce courrier.",
        "À défaut, nous engagerons sans autre avis une procédure de recouvrement, les "
        "pénalités de retard et l'indemnité forfaitaire restant dues.",
    ]


def dunning_content(
    invoice: Invoice,
    level: int,
    seller: CompanyDetails,
    buyer: Party,
    head: Letterhead,
    on: date,
) -> PrintedContent:
    """The letter of `level` about an issued invoice, dated `on`."""
    assert invoice.number is not None
    assert invoice.issue_date is not None
    assert invoice.due_date is not None
    currency = invoice.currency
    days = max((on - invoice.due_date).days, 0)
    due_text = fmt.long_date(invoice.due_date)
    amount_due = fmt.money(invoice.amount_due, currency)
    gross = invoice.totals().gross
    settled = gross - invoice.amount_due
    summary = (
        f"Sauf erreur de notre part, la facture n° {invoice.number} du "
        f"{fmt.long_date(invoice.issue_date)}, échue le {due_text}, reste impayée à ce jour "
        f"({days} jours de retard). Le montant restant dû s'élève à {amount_due} TTC."
    )
    notes = [GREETING, summary, *_requests(level, due_text, days)]
    if head.bank:
        notes.append(
            f"Règlement par virement : {head.bank}, en rappelant la référence {invoice.number}."
        )
    notes.append(CLOSING)
    totals = [TotalRow("Montant TTC de la facture", fmt.money(gross, currency))]
    if settled > Decimal(0):
        totals.append(TotalRow("Déjà réglé ou crédité", fmt.money(-settled, currency)))
    totals.append(TotalRow("Reste dû", amount_due, strong=True))
    rate = invoice.details.late_penalty_rate
    indemnity = invoice.recovery_indemnity or RECOVERY_INDEMNITY
    title = letter_title(level)
    return PrintedContent(
        kind=PrintedKind.DUNNING_LETTER,
        title=title,
        reference=f"{invoice.number}-R{level}",
        file_name=f"Relance-{invoice.number}-niveau-{level}.pdf",
        issued_on=on,
        seller=head.seller,
        buyer=buyer,
        facts=[
            ("Date", fmt.long_date(on)),
            ("Facture n°", invoice.number),
            ("Date de la facture", fmt.long_date(invoice.issue_date)),
            ("Date d'échéance", due_text),
            ("Jours de retard", str(days)),
        ],
        totals=totals,
        mentions=[
            penalty_sentence(rate if rate is not None else seller.late_payment_rate),
            "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de "
            f"paiement : {fmt.money(indemnity, 'EUR')} (art. L441-10 et D441-5 du Code de "
            "commerce), sans préjudice d'une indemnisation complémentaire sur justificatif.",
        ],
        notes=notes,
        footer=head.footer,
        watermark=head.watermark,
        logo=head.logo,
    )
