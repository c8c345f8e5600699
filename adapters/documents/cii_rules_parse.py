"""What `adapters.documents.cii_rules` reads of a CII XML: lines, allowances and charges,
VAT breakdowns, parties and totals, as plain values (Decimal amounts, never floats)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from adapters.documents.cii_parts import NSMAP, Element

# The rule prefix of each VAT category: K (intra-community supply) is "IC" in EN 16931.
RULE_PREFIX = {"S": "BR-S", "Z": "BR-Z", "E": "BR-E", "AE": "BR-AE", "K": "BR-IC", "G": "BR-G"}
SETTLEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
DELIVERY = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"
Key = tuple[str, Decimal | None]


def group_rule(category: str, suffix: str) -> str:
    """`BR-S-08`, `BR-IC-02`: the rule of `category` numbered `suffix`."""
    return f"{RULE_PREFIX.get(category, 'BR-O')}-{suffix}"


@dataclass(frozen=True)
class Spot:
    """An amount the decimals rule looks at, and where it was read."""

    what: str
    value: Decimal


@dataclass(frozen=True)
class AllowanceCharge:
    amount: Decimal
    category: str
    rate: Decimal | None
    has_reason: bool

    @property
    def key(self) -> Key:
        return (self.category, self.rate)


@dataclass(frozen=True)
class Line:
    line_id: str
    name: str
    quantity: Decimal | None
    unit: str
    price: Decimal | None
    net: Decimal | None
    category: str
    rate: Decimal | None
    allowances: list[AllowanceCharge]

    @property
    def key(self) -> Key:
        return (self.category, self.rate)


@dataclass(frozen=True)
class Breakdown:
    tax: Decimal
    basis: Decimal
    category: str
    rate: Decimal | None
    has_reason: bool

    @property
    def key(self) -> Key:
        return (self.category, self.rate)


@dataclass(frozen=True)
class Party:
    name: str
    has_address: bool
    country: str
    vat_number: str
    legal_id: str = ""
    global_id: str = ""


@dataclass
class Parsed:
    """The parts of an invoice the business rules compare."""

    guideline: str
    number: str
    issue_date: str
    type_code: str
    currency: str
    seller: Party
    buyer: Party
    lines: list[Line]
    allowances: list[AllowanceCharge]
    charges: list[AllowanceCharge]
    breakdowns: list[Breakdown]
    totals: dict[str, Decimal]
    due_date: str
    has_terms: bool
    needs_account: bool
    iban: str
    tax_currency_mismatch: bool
    delivery_date: str = ""
    has_period: bool = False
    ship_to_country: str = ""
    amounts: list[Spot] = field(default_factory=list)

    def total(self, name: str) -> Decimal | None:
        return self.totals.get(name)


def _text(node: Element, path: str) -> str:
    found = node.find(path, NSMAP)
    return "" if found is None or found.text is None else str(found.text).strip()


def _decimal(node: Element, path: str) -> Decimal | None:
    text = _text(node, path)
    return Decimal(text) if text else None


def _party(node: Element | None) -> Party:
    if node is None:
        return Party("", False, "", "")
    vat = [
        str(e.text).strip()
        for e in node.findall("ram:SpecifiedTaxRegistration/ram:ID", NSMAP)
        if e.get("schemeID") == "VA" and e.text
    ]
    return Party(
        name=_text(node, "ram:Name"),
        has_address=node.find("ram:PostalTradeAddress", NSMAP) is not None,
        country=_text(node, "ram:PostalTradeAddress/ram:CountryID"),
        vat_number=vat[0] if vat else "",
        legal_id=_text(node, "ram:SpecifiedLegalOrganization/ram:ID"),
        global_id=_text(node, "ram:GlobalID") or _text(node, "ram:ID"),
    )


def _allowance_charge(node: Element, spots: list[Spot], where: str) -> AllowanceCharge:
    amount = _decimal(node, "ram:ActualAmount") or Decimal(0)
    spots.append(Spot(f"the {where} amount", amount))
    basis = _decimal(node, "ram:BasisAmount")
    if basis is not None:
        spots.append(Spot(f"the {where} base", basis))
    return AllowanceCharge(
        amount=amount,
        category=_text(node, "ram:CategoryTradeTax/ram:CategoryCode"),
        rate=_decimal(node, "ram:CategoryTradeTax/ram:RateApplicablePercent"),
        has_reason=bool(_text(node, "ram:Reason") or _text(node, "ram:ReasonCode")),
    )


def _line(node: Element, spots: list[Spot]) -> Line:
    settlement = node.find("ram:SpecifiedLineTradeSettlement", NSMAP)
    tax = "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax"
    quantity = node.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NSMAP)
    allowances = []
    if settlement is not None:
        for item in settlement.findall("ram:SpecifiedTradeAllowanceCharge", NSMAP):
            if _text(item, "ram:ChargeIndicator/udt:Indicator") == "false":
                allowances.append(_allowance_charge(item, spots, "line allowance"))
    net = _decimal(
        node,
        "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
        "/ram:LineTotalAmount",
    )
    line_id = _text(node, "ram:AssociatedDocumentLineDocument/ram:LineID")
    if net is not None:
        spots.append(Spot(f"line {line_id}'s net amount", net))
    return Line(
        line_id=line_id,
        name=_text(node, "ram:SpecifiedTradeProduct/ram:Name"),
        quantity=None if quantity is None or not quantity.text else Decimal(quantity.text),
        unit="" if quantity is None else str(quantity.get("unitCode") or ""),
        price=_decimal(
            node, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"
        ),
        net=net,
        category=_text(node, f"{tax}/ram:CategoryCode"),
        rate=_decimal(node, f"{tax}/ram:RateApplicablePercent"),
        allowances=allowances,
    )


def _breakdown(node: Element, spots: list[Spot]) -> Breakdown:
    tax = _decimal(node, "ram:CalculatedAmount") or Decimal(0)
    basis = _decimal(node, "ram:BasisAmount") or Decimal(0)
    category = _text(node, "ram:CategoryCode")
    spots += [Spot(f"the VAT {category} amount", tax), Spot(f"the VAT {category} base", basis)]
    return Breakdown(
        tax=tax,
        basis=basis,
        category=category,
        rate=_decimal(node, "ram:RateApplicablePercent"),
        has_reason=bool(
            _text(node, "ram:ExemptionReason") or _text(node, "ram:ExemptionReasonCode")
        ),
    )


def parse(xml: bytes) -> Parsed:
    """The parts of `xml` the rules compare; amounts as Decimal."""
    root = etree.fromstring(xml)
    spots: list[Spot] = []
    settlement = root.find(SETTLEMENT, NSMAP)
    if settlement is None:
        settlement = etree.Element("missing")
    lines = [
        _line(node, spots)
        for node in root.findall(
            "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem", NSMAP
        )
    ]
    allowances, charges = [], []
    for node in settlement.findall("ram:SpecifiedTradeAllowanceCharge", NSMAP):
        if _text(node, "ram:ChargeIndicator/udt:Indicator") == "true":
            charges.append(_allowance_charge(node, spots, "document charge"))
        else:
            allowances.append(_allowance_charge(node, spots, "document allowance"))
    breakdowns = [_breakdown(n, spots) for n in settlement.findall("ram:ApplicableTradeTax", NSMAP)]
    currency = _text(settlement, "ram:InvoiceCurrencyCode")
    totals: dict[str, Decimal] = {}
    summation = root.find(SUMMATION, NSMAP)
    for node in [] if summation is None else list(summation):
        name = etree.QName(node).localname
        if name == "TaxTotalAmount" and node.get("currencyID") != currency:
            continue  # the total VAT in the tax currency (BT-111), not BT-110
        totals[name] = Decimal(str(node.text).strip())
        spots.append(Spot(name, totals[name]))
    stated_vat = [] if summation is None else summation.findall("ram:TaxTotalAmount", NSMAP)
    tax_currency_mismatch = bool(stated_vat) and "TaxTotalAmount" not in totals
    means = settlement.findall("ram:SpecifiedTradeSettlementPaymentMeans", NSMAP)
    return Parsed(
        guideline=_text(
            root,
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        ),
        number=_text(root, "rsm:ExchangedDocument/ram:ID"),
        issue_date=_text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
        type_code=_text(root, "rsm:ExchangedDocument/ram:TypeCode"),
        currency=currency,
        seller=_party(root.find(f"{AGREEMENT}/ram:SellerTradeParty", NSMAP)),
        buyer=_party(root.find(f"{AGREEMENT}/ram:BuyerTradeParty", NSMAP)),
        lines=lines,
        allowances=allowances,
        charges=charges,
        breakdowns=breakdowns,
        totals=totals,
        due_date=_text(
            settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
        ),
        has_terms=bool(_text(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description")),
        needs_account=any(_text(m, "ram:TypeCode") in {"30", "58"} for m in means),
        iban=" ".join(
            _text(m, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
            or _text(m, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")
            for m in means
        ).strip(),
        tax_currency_mismatch=tax_currency_mismatch,
        delivery_date=_text(
            root,
            f"{DELIVERY}/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/"
            "udt:DateTimeString",
        ),
        has_period=settlement.find("ram:BillingSpecifiedPeriod", NSMAP) is not None,
        ship_to_country=_text(
            root, f"{DELIVERY}/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID"
        ),
        amounts=spots,
    )
