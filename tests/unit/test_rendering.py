"""Printed documents without a store: French formats, the legal mentions an invoice and a
credit note state (read back from the PDF), reproducible bytes, Factur-X embedded, and a
300-line quote that paginates with its title and page number on every page."""

from __future__ import annotations

import hashlib
import io
import re
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from facturx import get_xml_from_pdf
from pypdf import PdfReader

from adapters.documents import formats as fmt
from adapters.documents.cii import invoice_cii
from adapters.documents.content import Party, bank_details, seller_footer, seller_party
from adapters.documents.facturx_pdf import embed_facturx
from adapters.documents.invoice_content import (
    LEGAL_DEFAULT_PENALTY,
    invoice_content,
    invoice_mentions,
)
from adapters.documents.render import Renderer, RendererUnavailable, load_weasyprint
from adapters.documents.sales import Letterhead, quote_content
from domain.company_details import CompanyDetails, LegalForm, Register, Registration
from domain.customer import Address, AddressKind
from domain.invoice import Invoice
from domain.invoice_credit import CreditRequest
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_seller import Seller
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.quote import Quote
from domain.values import Money

AT = datetime(2026, 12, 4, 10, tzinfo=UTC)
D = Decimal
SELLER = CompanyDetails(
    legal_name="Comptoir Lyonnais SAS",
    legal_form=LegalForm.SAS,
    siren="732829320",
    address=Address(AddressKind.BILLING, "12 rue de la République", "69002", "Lyon", "FR"),
    siret="73282932000074",
    vat_number="FR44732829320",
    registration=Registration(Register.RCS, "Lyon"),
    share_capital=Money(D("10000"), "EUR"),
    iban="FR1420041010050500013M02606",
    bic="PSSTFRPPLIL",
    late_payment_rate=D("12.5"),
)
BUYER = Buyer(
    "Martin SA",
    "FR40303265045",
    Address(AddressKind.BILLING, "1 rue de la Paix", "75002", "Paris", "FR"),
)
HEAD = Letterhead(seller_party(SELLER), seller_footer(SELLER), bank=bank_details(SELLER))


def plain(text: str) -> str:
    """Text with the no-break spaces of French formats made plain, lines joined."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def pages_of(data: bytes) -> list[str]:
    return [plain(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def issued_invoice(details: InvoiceDetails | None = None) -> Invoice:
    details = details or InvoiceDetails(
        OperationCategory.BOTH, PaymentTerms(TermsKind.END_OF_MONTH, 45), order_reference="PO-118"
    )
    invoice = Invoice.draft(at=AT, customer_id=uuid4(), currency="EUR", details=details)
    standard, reduced = VatCategory.STANDARD, VatCategory.STANDARD
    invoice.add_line(
        at=AT, line=InvoiceLine("", "Audit", D(3), "DAY", D("1234.56"), standard, D(20))
    )
    invoice.add_line(at=AT, line=InvoiceLine("", "Guide", D(2), "C62", D(45), reduced, D("5.5")))
    exempt = "Exonération de TVA, article 261-4-4° du CGI"
    line = InvoiceLine("", "Formation", D(1), "DAY", D(900), VatCategory.EXEMPT, D(0), exempt)
    invoice.add_line(at=AT, line=line)
    invoice.issue(
        at=AT,
        number="INV-2026-00042",
        issue_date=date(2026, 12, 4),
        not_before=None,
        buyer=BUYER,
        seller=Seller(SELLER),
    )
    return invoice


def test_amounts_dates_quantities_and_units_are_written_the_french_way() -> None:
    assert fmt.money(D("1234.56"), "EUR") == "1\u202f234,56\u00a0€"
    assert fmt.money(D("0.5"), "EUR") == "0,50\u00a0€"
    assert fmt.long_date(date(2026, 12, 4)) == "4 décembre 2026"
    assert fmt.long_date(datetime(2027, 2, 1, 23, tzinfo=UTC)) == "1 février 2027"
    assert fmt.number(D("3.500")) == "3,5"
    assert fmt.number(D("1200")) == "1\u202f200"
    assert fmt.percent(D("5.5")) == "5,5\u00a0%"
    assert [fmt.unit_label(u) for u in ("DAY", "piece", "unit", "widgets")] == [
        "jour",
        "pièce",
        "u.",
        "widgets",
    ]
    assert fmt.siren("732829320") == "732 829 320"


def test_an_issued_invoice_states_every_legal_mention_and_is_a_factur_x() -> None:
    invoice = issued_invoice()
    content = invoice_content(invoice, SELLER, Party("Martin SA"), HEAD, AT.date())
    renderer = Renderer()
    pdf = renderer.pdf(content)
    assert renderer.pdf(content) == pdf  # same content, same templates: the same bytes

    text = " ".join(pages_of(pdf))
    for mention in (
        "Facture INV-2026-00042",
        "Comptoir Lyonnais SAS",
        "SAS au capital de 10 000,00 €",
        "RCS Lyon 732 829 320",
        "SIRET 732 829 320 00074",
        "TVA intracommunautaire FR44732829320",
        "12 rue de la République 69002 Lyon",
        "Date d'émission 4 décembre 2026",
        "Date d'échéance 31 janvier 2027",  # 45 days end of month
        "Votre commande PO-118",
        "Catégorie de l'opération : livraison de biens et prestation de services.",
        "Paiement à 45 jours fin de mois, au plus tard le 31 janvier 2027.",
        "Pénalités de retard : taux annuel de 12,5 %",
        "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : "
        "40,00 €",
        "Pas d'escompte pour paiement anticipé.",
        "3 703,68 €",  # 3 days × 1 234,56 €
        "20 % 3 703,68 € 740,74 €",  # the standard rate's base and VAT
        "5,5 % 90,00 € 4,95 €",
        "0 % 900,00 € 0,00 € Exonération de TVA, article 261-4-4° du CGI",
        "Total HT 4 693,68 €",
        "Total TVA 745,69 €",
        "Total TTC 5 439,37 €",
        "IBAN FR14 2004 1010 0505 0001 3M02 606 · BIC PSSTFRPPLIL",
        "Page 1/1",
    ):
        assert mention in text, mention

    xml = invoice_cii(invoice)
    factur_x = embed_facturx(
        pdf, xml, issued_on=content.issued_on, title="Facture", author="C", subject="F"
    )
    assert factur_x == embed_facturx(
        pdf, xml, issued_on=content.issued_on, title="Facture", author="C", subject="F"
    )
    name, embedded = get_xml_from_pdf(factur_x, check_xsd=True)
    assert (name, embedded) == ("factur-x.xml", xml)
    assert pages_of(factur_x) == pages_of(pdf)


def test_a_credit_note_names_its_invoice_and_the_defaults_are_stated_as_such() -> None:
    details = InvoiceDetails(OperationCategory.SERVICES, early_payment_discount=D(2))
    invoice = issued_invoice(details)
    note, _credit = Invoice.credit_note(
        at=AT, source=invoice.creditable(), request=CreditRequest(amount=D("120.00"))
    )
    note.issue(
        at=AT,
        number="CN-2026-00007",
        issue_date=date(2026, 12, 4),
        not_before=None,
        buyer=BUYER,
        seller=Seller(SELLER),
    )
    without_rate = CompanyDetails(**{**vars(SELLER), "late_payment_rate": None})
    mentions = invoice_mentions(note, without_rate, note.due_date)
    assert mentions[0] == "Avoir se rapportant à la facture n° INV-2026-00042 du 4 décembre 2026."
    assert LEGAL_DEFAULT_PENALTY in mentions  # no rate agreed: the legal default, stated
    assert "Catégorie de l'opération : prestation de services." in mentions
    invoice_says = [plain(m) for m in invoice_mentions(invoice, without_rate, invoice.due_date)]
    assert "Escompte pour paiement anticipé : 2 %." in invoice_says
    assert "Paiement à réception de la facture, au plus tard le 4 décembre 2026." in invoice_says

    content = invoice_content(note, without_rate, Party("Martin SA"), HEAD, AT.date())
    assert (content.title, content.file_name) == ("Avoir", "Avoir-CN-2026-00007.pdf")
    assert ("Facture d'origine", "INV-2026-00042") in content.facts


def test_a_300_line_quote_paginates_with_its_title_headers_and_page_numbers_on_every_page() -> None:
    quote = Quote.draft(at=AT, currency="EUR", prospect="Boulangerie Leroy", title="Agencement")
    for n in range(300):
        quote.add_line(
            at=AT,
            description=f"Élément {n + 1} sur mesure",
            quantity=D(n % 5 + 1),
            unit_price=D("99.90"),
            vat_rate=D(20),
            unit="piece",
        )
    quote.send(at=AT)
    record = quote.revision_record(1)
    content = quote_content(quote, record, Party("Boulangerie Leroy"), HEAD, AT.date())
    pages = pages_of(Renderer().pdf(content))

    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert f"Devis {content.reference}" in text
        assert f"Page {number}/{len(pages)}" in text
        if number < len(pages):  # the table's head repeats on every page it runs over
            assert "Désignation" in text
            assert "Montant HT" in text
    lines_seen = re.findall(r"Élément (\d+) sur mesure", " ".join(pages))
    assert [int(n) for n in lines_seen] == list(range(1, 301))
    total = record.totals().gross
    assert f"Total TTC {plain(fmt.money(total, 'EUR'))}" in pages[-1]


def test_the_renderer_names_the_missing_library_when_weasyprint_cannot_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when Pango is not installed
    with pytest.raises(RendererUnavailable, match="Pango") as raised:
        load_weasyprint()
    assert "libpango-1.0-0" in str(raised.value)


def test_the_template_version_follows_the_template_files() -> None:
    renderer = Renderer()
    digest = hashlib.sha256()
    for path in sorted(p for p in renderer.templates.rglob("*") if p.is_file()):
        digest.update(path.relative_to(renderer.templates).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    assert renderer.version == f"1+{digest.hexdigest()[:12]}"
