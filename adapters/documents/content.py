"""What a printed document says, already worded and formatted for its reader.

The builders (`adapters.documents.sales`, `adapters.documents.invoice_content`) turn a
domain document into a `PrintedContent`; the templates only lay it out, so what a PDF
states is tested without reading HTML, and a template change never changes a figure.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date

from adapters.documents import formats as fmt
from domain.company_details import CompanyDetails, LogoRef
from domain.customer import Address
from domain.printed_document import PrintedKind

COUNTRIES = {"FR": "France", "BE": "Belgique", "CH": "Suisse", "LU": "Luxembourg"}


@dataclass(frozen=True)
class Party:
    """A seller or a buyer as the document names them."""

    name: str
    address: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LineRow:
    """One line of the table; cells a kind does not show stay empty."""

    reference: str
    description: str
    quantity: str
    unit: str
    unit_price: str = ""
    discount: str = ""
    vat: str = ""
    net: str = ""
    # delivery notes: ordered, delivered before, this delivery, left to deliver
    ordered: str = ""
    delivered_before: str = ""
    remaining: str = ""


@dataclass(frozen=True)
class TotalRow:
    label: str
    amount: str
    strong: bool = False


@dataclass(frozen=True)
class VatRow:
    """One VAT breakdown: category, rate, base, VAT and, for no VAT, the reason."""

    category: str
    rate: str
    base: str
    vat: str
    reason: str = ""


@dataclass(frozen=True)
class PrintedContent:
    """Everything one edition of a document states, in the reader's language."""

    kind: PrintedKind
    title: str
    reference: str
    file_name: str
    issued_on: date
    seller: Party
    buyer: Party | None
    facts: list[tuple[str, str]] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)
    totals: list[TotalRow] = field(default_factory=list)
    vat_rows: list[VatRow] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    watermark: str | None = None
    logo: str | None = None  # a data: URI
    signature_box: bool = False
    language: str = "fr"


def address_lines(address: Address | None) -> list[str]:
    """`12 rue …`, `69002 Lyon`, and the country when it is not France."""
    if address is None:
        return []
    lines = [address.name] if address.name else []
    lines += [address.street, f"{address.postal_code} {address.city}".strip()]
    if address.country != "FR":
        lines.append(COUNTRIES.get(address.country, address.country))
    return lines


def seller_party(details: CompanyDetails) -> Party:
    """The seller with every identity an invoice states: form and capital, register and
    SIREN, SIRET, VAT number."""
    identity = str(details.legal_form)
    if details.share_capital is not None:
        capital = fmt.money(details.share_capital.amount, details.share_capital.currency)
        identity = f"{identity} au capital de {capital}"
    identifiers = [identity]
    if details.registration is not None:
        identifiers.append(f"{details.registration} {fmt.siren(details.siren)}")
    else:
        identifiers.append(f"SIREN {fmt.siren(details.siren)}")
    if details.siret:
        identifiers.append(f"SIRET {fmt.siret(details.siret)}")
    if details.vat_number:
        identifiers.append(f"TVA intracommunautaire {details.vat_number}")
    return Party(details.legal_name, address_lines(details.address), identifiers)


def seller_footer(details: CompanyDetails) -> list[str]:
    """The seller's legal line and footer text, repeated at the bottom of every page."""
    party = seller_party(details)
    line = " · ".join([details.legal_name, *party.identifiers, ", ".join(party.address)])
    return [line, *([details.footer] if details.footer.strip() else [])]


def bank_details(details: CompanyDetails) -> str | None:
    if details.iban is None:
        return None
    iban = " ".join(details.iban[i : i + 4] for i in range(0, len(details.iban), 4))
    return f"IBAN {iban}" + (f" · BIC {details.bic}" if details.bic else "")


def logo_uri(logo: LogoRef | None, data: bytes | None) -> str | None:
    """The logo as a data: URI the renderer reads without touching the network."""
    if logo is None or data is None:
        return None
    return f"data:{logo.media_type};base64,{base64.b64encode(data).decode('ascii')}"


def short_reference(prefix: str, document_id: object) -> str:
    """`Q-1A2B3C4D`: quotes and orders carry no number yet, so their id's first digits."""
    return f"{prefix}-{str(document_id).replace('-', '')[:8].upper()}"
