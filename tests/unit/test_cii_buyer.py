"""The buyer's legal identity and delivery address in the e-invoice (BG-7, BG-13)."""

from __future__ import annotations

from dataclasses import replace

from adapters.documents.cii import invoice_cii
from domain.customer import Address, AddressKind
from tests.unit.test_cii import FRENCH_BUYER, issued, line, text, texts, valid_xml
from tests.unit.test_cii_schematron import official_failures

BUYER = "//ram:BuyerTradeParty"
SHIP_TO = "//ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty"
SITE = Address(AddressKind.DELIVERY, "8 quai des Docks", "13002", "Marseille", "FR")


def test_the_buyer_states_its_siret_siren_and_where_the_goods_go() -> None:
    buyer = replace(FRENCH_BUYER, siren="303265045", siret="30326504500003", delivery_address=SITE)
    invoice = issued(line("100.00"), buyer=buyer)
    root = valid_xml(invoice)
    assert text(root, f"{BUYER}/ram:GlobalID[@schemeID='0009']") == "30326504500003"
    legal = f"{BUYER}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']"
    assert text(root, legal) == "303265045"
    assert texts(root, f"{SHIP_TO}/ram:PostalTradeAddress/*") == [
        "13002",
        "8 quai des Docks",
        "Marseille",
        "FR",
    ]
    assert official_failures(invoice_cii(invoice)) == []


def test_a_buyer_without_them_states_neither() -> None:
    root = valid_xml(issued(line("100.00")))
    assert texts(root, f"{BUYER}/ram:GlobalID") == []
    assert texts(root, f"{BUYER}/ram:SpecifiedLegalOrganization/ram:ID") == []
    assert texts(root, SHIP_TO) == []
