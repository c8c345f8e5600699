"""A Factur-X is made only of an XML that passes the XSD and every EN 16931 rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from adapters.documents.cii_parts import NSMAP
from adapters.documents.facturx_pdf import embed_facturx, embedded_xml
from adapters.documents.render import load_weasyprint
from domain.errors import EInvoiceInvalid
from tests.unit.test_cii_rules import an_xml

GRAND_TOTAL = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount"


def a_pdf() -> bytes:
    html = load_weasyprint().HTML(string="<p>Facture</p>")
    pdf: bytes = html.write_pdf(pdf_variant="pdf/a-3b")
    return pdf


def embed(xml: bytes) -> bytes:
    return embed_facturx(
        a_pdf(), xml, issued_on=date(2026, 3, 10), title="F", author="A", subject="S"
    )


def test_a_valid_xml_is_embedded_as_it_is() -> None:
    xml = an_xml()
    assert embedded_xml(embed(xml)) == xml


def test_an_xml_breaking_a_business_rule_is_refused_naming_it() -> None:
    root = etree.fromstring(an_xml())
    total = root.xpath(GRAND_TOTAL, namespaces=NSMAP)[0]
    total.text = str(Decimal(total.text) + Decimal("0.01"))
    with pytest.raises(EInvoiceInvalid, match="BR-CO-15"):
        embed(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
