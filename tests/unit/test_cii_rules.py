"""The checks of a Factur-X XML catch what is wrong with it: each business rule on a
deliberately corrupted XML, the XSD on a broken structure; and any invoice the domain
accepts gives an XML that passes them all."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import facturx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from adapters.documents.cii import invoice_cii
from adapters.documents.cii_parts import NSMAP
from adapters.documents.cii_rules import cii_violations, violated_rules, xsd_errors
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.values import Discount, DiscountKind, DiscountMode
from tests.unit.test_cii import GERMAN_BUYER, issued, line

D = Decimal
V = VatCategory
SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
S20 = f"{SETTLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='S'][ram:RateApplicablePercent='20']"
EXEMPT = f"{SETTLEMENT}/ram:ApplicableTradeTax[ram:CategoryCode='E']"
Change = Callable[[etree._Element], None]


def an_xml() -> bytes:
    """Two rates, an exempt line, a line discount and a document discount."""
    exempt = line("800.00", category=V.EXEMPT, rate="0", reason="Exonération, art. 261 du CGI")
    percent = Discount(DiscountKind.PERCENT, D(10))
    invoice = issued(
        line("250.00", "4", discount=percent),
        line("19.99", "10", rate="5.5"),
        exempt,
        discounts=[D(5)],
    )
    return invoice_cii(invoice)


def node(root: etree._Element, path: str) -> etree._Element:
    found = root.xpath(path, namespaces=NSMAP)
    assert len(found) == 1, path
    return found[0]


def add(path: str, amount: str) -> Change:
    def change(root: etree._Element) -> None:
        target = node(root, path)
        target.text = str(D(target.text) + D(amount))

    return change


def set_text(path: str, value: str) -> Change:
    def change(root: etree._Element) -> None:
        node(root, path).text = value

    return change


def remove(path: str) -> Change:
    def change(root: etree._Element) -> None:
        for found in root.xpath(path, namespaces=NSMAP):
            found.getparent().remove(found)

    return change


CORRUPTIONS: list[tuple[str, Change, str]] = [
    ("BR-CO-10", add(f"{SUMMATION}/ram:LineTotalAmount", "1"), "the sum of line nets"),
    ("BR-CO-11", add(f"{SUMMATION}/ram:AllowanceTotalAmount", "0.01"), "the allowances total"),
    ("BR-CO-12", set_text(f"{SUMMATION}/ram:ChargeTotalAmount", "5.00"), "a charge total"),
    ("BR-CO-13", add(f"{SUMMATION}/ram:TaxBasisTotalAmount", "-0.01"), "the total without VAT"),
    ("BR-CO-14", add(f"{SUMMATION}/ram:TaxTotalAmount", "0.01"), "the total VAT"),
    ("BR-CO-15", add(f"{SUMMATION}/ram:GrandTotalAmount", "0.01"), "the total with VAT"),
    ("BR-CO-16", set_text(f"{SUMMATION}/ram:TotalPrepaidAmount", "10.00"), "a prepaid amount"),
    ("BR-CO-16", add(f"{SUMMATION}/ram:DuePayableAmount", "1"), "the amount due"),
    (
        "BR-S-08",
        add("(//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount)[1]", "1"),
        "a line's net",
    ),
    ("BR-S-08", add(f"{S20}/ram:BasisAmount", "0.01"), "a standard-rate base"),
    ("BR-CO-17", add(f"{S20}/ram:CalculatedAmount", "0.01"), "a standard-rate VAT"),
    ("BR-E-08", add(f"{EXEMPT}/ram:BasisAmount", "1"), "the exempt base"),
    ("BR-E-09", set_text(f"{EXEMPT}/ram:CalculatedAmount", "5.00"), "VAT on the exempt base"),
    ("BR-E-10", remove(f"{EXEMPT}/ram:ExemptionReason"), "the exemption reason"),
    ("BR-E-01", remove(EXEMPT), "the exempt breakdown"),
    ("BR-S-02", remove("//ram:SellerTradeParty/ram:SpecifiedTaxRegistration"), "the seller VAT"),
    (
        "BR-S-05",
        set_text("(//ram:ApplicableTradeTax/ram:RateApplicablePercent)[1]", "0"),
        "a standard-rate line at 0 %",
    ),
    (
        "BR-33",
        remove(
            f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge/ram:Reason"
            f" | {SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge/ram:ReasonCode"
        ),
        "the document allowances' reasons",
    ),
    ("BR-DEC", set_text(f"{S20}/ram:BasisAmount", "855.000"), "three decimals"),
    ("BR-16", remove("//ram:IncludedSupplyChainTradeLineItem"), "every line"),
    ("BR-10", remove("//ram:BuyerTradeParty/ram:PostalTradeAddress"), "the buyer's address"),
]


def test_the_xml_before_corruption_breaks_no_rule() -> None:
    assert cii_violations(an_xml()) == []


@pytest.mark.parametrize(
    ("rule", "change", "what"), CORRUPTIONS, ids=[f"{r} {w}" for r, _, w in CORRUPTIONS]
)
def test_a_corrupted_xml_is_caught_by_the_rule_it_breaks(
    rule: str, change: Change, what: str
) -> None:
    root = etree.fromstring(an_xml())
    change(root)
    broken = violated_rules(etree.tostring(root))
    assert rule in {violation.split(":")[0] for violation in broken}, (what, broken)


def test_a_broken_structure_is_caught_by_the_xsd() -> None:
    root = etree.fromstring(an_xml())
    remove("//rsm:ExchangedDocument/ram:TypeCode")(root)
    xml = etree.tostring(root)
    with pytest.raises(Exception, match="not valid against the official XML Schema"):
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert xsd_errors(xml)
    assert cii_violations(xml) == xsd_errors(xml)
    assert cii_violations(b"<not-closed>")[0].startswith("XML:")


# -- any invoice the domain accepts -------------------------------------------------------

STANDARD_RATES = ("20", "10", "5.5", "2.1")
REASONS = {
    V.EXEMPT: "Exonération, art. 261 du CGI",
    V.REVERSE_CHARGE: "Autoliquidation",
    V.INTRA_EU: "Exonération, art. 262 ter I du CGI",
    V.EXPORT: "Exportation, art. 262 I du CGI",
}
money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)


@st.composite
def invoice_lines(draw: st.DrawFn) -> InvoiceLine:
    quantity = draw(st.decimals(min_value=D("0.001"), max_value=D("500"), places=3))
    price = draw(st.decimals(min_value=D("0"), max_value=D("20000"), places=4))
    category = draw(st.sampled_from([V.STANDARD, V.STANDARD, V.ZERO_RATED, *REASONS]))
    rate = draw(st.sampled_from(STANDARD_RATES)) if category == V.STANDARD else "0"
    discount = draw(
        st.one_of(
            st.none(),
            st.builds(Discount, st.just(DiscountKind.PERCENT), st.decimals(0, 100, places=2)),
            money.filter(lambda off: off <= quantity * price).map(
                lambda off: Discount(DiscountKind.AMOUNT, off)
            ),
        )
    )
    return line(str(price), str(quantity), category, rate, REASONS.get(category), discount)


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(invoice_lines(), min_size=1, max_size=6),
    discounts=st.lists(st.decimals(0, 30, places=2), max_size=3),
    mode=st.sampled_from(DiscountMode),
)
def test_any_issued_invoice_gives_an_xml_that_passes_every_check(
    lines: list[InvoiceLine], discounts: list[Decimal], mode: DiscountMode
) -> None:
    invoice = issued(*lines, buyer=GERMAN_BUYER, discounts=discounts, mode=mode)
    xml = invoice_cii(invoice)
    assert cii_violations(xml) == []
    summation = etree.fromstring(xml).xpath(f"{SUMMATION}/*", namespaces=NSMAP)
    stated = {etree.QName(n).localname: D(n.text) for n in summation}
    totals = invoice.totals()
    assert stated["TaxBasisTotalAmount"] == totals.net
    assert stated["TaxTotalAmount"] == totals.vat
    assert stated["DuePayableAmount"] == totals.gross
