"""Pieces of the Factur-X CII XML: namespaces, number formats, the parties and the notes.

`adapters.documents.cii` assembles the document; this module writes what is not tied to
its structure: how an amount, a quantity or a date is written, the seller and the buyer
(BG-4, BG-7), and the French mentions EN 16931 has no field for, as notes (BG-1) with
their UNTDID 4451 subject codes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from domain.company_details import CompanyDetails
from domain.customer import Address
from domain.invoice_terms import Buyer, InvoiceDetails, PaymentTerms, TermsKind
from domain.values import round_money

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "qdt": QDT, "ram": RAM, "udt": UDT}
PREFIXES = {RSM: "rsm", RAM: "ram", UDT: "udt", QDT: "qdt"}

# ISO 6523 schemes: SIREN (legal registration, BT-30) and SIRET (seller id, BT-29).
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"

Element = Any  # lxml ships no type information


def el(parent: Element, tag: str, text: str | None = None, **attributes: str) -> Element:
    """A child `prefix:Name` of `parent`, with its text and attributes."""
    prefix, name = tag.split(":")
    namespace = NSMAP[prefix]
    child = etree.SubElement(parent, f"{{{namespace}}}{name}", attrib=attributes)
    if text is not None:
        child.text = text
    return child


def amount(value: Decimal, currency: str) -> str:
    """An amount as CII writes it: rounded to the currency's minor unit, no exponent."""
    return format(round_money(value, currency), "f")


def number(value: Decimal) -> str:
    """A quantity, price or rate with no trailing zeros and no exponent: 2, 12.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def date_102(parent: Element, tag: str, day: date, *, qualified: bool = False) -> Element:
    """A date element holding `DateTimeString format="102"` (CCYYMMDD)."""
    holder = el(parent, tag)
    el(holder, "qdt:DateTimeString" if qualified else "udt:DateTimeString", day.strftime("%Y%m%d"))
    holder[0].set("format", "102")
    return holder


def address(parent: Element, where: Address) -> None:
    """A postal address (BG-5, BG-8): postcode, street, city, country."""
    postal = el(parent, "ram:PostalTradeAddress")
    if where.postal_code.strip():
        el(postal, "ram:PostcodeCode", where.postal_code.strip())
    el(postal, "ram:LineOne", where.street.strip())
    el(postal, "ram:CityName", where.city.strip())
    el(postal, "ram:CountryID", where.country)


def seller_party(parent: Element, seller: CompanyDetails, *, with_vat: bool) -> None:
    """The seller (BG-4): SIRET, legal name, legal mentions, SIREN, address, VAT number."""
    party = el(parent, "ram:SellerTradeParty")
    if seller.siret:
        el(party, "ram:GlobalID", seller.siret, schemeID=SIRET_SCHEME)
    el(party, "ram:Name", seller.legal_name)
    el(party, "ram:Description", seller_mentions(seller))
    legal = el(party, "ram:SpecifiedLegalOrganization")
    el(legal, "ram:ID", seller.siren, schemeID=SIREN_SCHEME)
    address(party, seller.address)
    if with_vat and seller.vat_number:
        tax = el(party, "ram:SpecifiedTaxRegistration")
        el(tax, "ram:ID", seller.vat_number, schemeID="VA")


def seller_mentions(seller: CompanyDetails) -> str:
    """Seller additional legal information (BT-33): form, capital, register, SIREN."""
    head = str(seller.legal_form)
    if seller.share_capital is not None:
        capital = seller.share_capital
        head += f" au capital de {french(capital.amount)} {capital.currency}"
    siren = f"{seller.siren[:3]} {seller.siren[3:6]} {seller.siren[6:]}"
    register = "SIREN" if seller.registration is None else str(seller.registration)
    return f"{head} - {register} {siren}"


def buyer_party(parent: Element, buyer: Buyer, *, with_vat: bool) -> None:
    """The buyer (BG-7): SIRET, name, SIREN (BT-47), address, VAT number."""
    party = el(parent, "ram:BuyerTradeParty")
    siret = getattr(buyer, "siret", None)  # absent from buyers copied before it was
    siren = getattr(buyer, "siren", None)
    if siret:
        el(party, "ram:GlobalID", siret, schemeID=SIRET_SCHEME)
    el(party, "ram:Name", buyer.name)
    if siren:
        legal = el(party, "ram:SpecifiedLegalOrganization")
        el(legal, "ram:ID", siren, schemeID=SIREN_SCHEME)
    if buyer.billing_address is not None:
        address(party, buyer.billing_address)
    if with_vat and buyer.vat_number:
        tax = el(party, "ram:SpecifiedTaxRegistration")
        el(tax, "ram:ID", buyer.vat_number, schemeID="VA")


def french(value: Decimal) -> str:
    """A number as French text writes it: 12,5 and 10 000."""
    text = number(value)
    whole, _, decimals = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    grouped = sign + " ".join(groups or ["0"])
    return f"{grouped},{decimals}" if decimals else grouped


def terms_text(terms: PaymentTerms) -> str:
    """The payment terms (BT-20) in words."""
    if terms.kind == TermsKind.ON_RECEIPT:
        return "Paiement à réception de facture"
    if terms.kind == TermsKind.NET:
        return f"Paiement à {terms.days} jours nets date de facture"
    return f"Paiement à {terms.days} jours fin de mois"


def payment_notes(
    details: InvoiceDetails, seller: CompanyDetails, indemnity: Decimal | None, currency: str
) -> list[tuple[str, str]]:
    """The French payment mentions (art. L441-9) as (text, UNTDID 4451 subject code):
    late penalties (PMD), the recovery indemnity (PMT), early payment discount (AAB)."""
    rate = details.late_penalty_rate
    if rate is None:
        rate = seller.late_payment_rate
    penalty = (
        "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points"
        if rate is None
        else f"Pénalités de retard : {french(rate)} % l'an"
    )
    fixed = indemnity if indemnity is not None else Decimal(40)
    recovery = (
        "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : "
        f"{french(round_money(fixed, currency))} {currency} (art. D441-5 du Code de commerce)"
    )
    early = details.early_payment_discount
    discount = (
        "Pas d'escompte pour paiement anticipé"
        if early is None
        else f"Escompte pour paiement anticipé : {french(early)} %"
    )
    return [(penalty, "PMD"), (recovery, "PMT"), (discount, "AAB")]
