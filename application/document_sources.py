"""Where each printed kind takes its content from: one loader per kind, in one table.

A loader reads its source document and names the *edition* asked for (`r2` for a
quote's revision 2, `a1` for an order acknowledgement after amendment 1, a delivery's
id, an invoice's number), whether that edition is issued (a sent revision, a confirmed
order, an issued invoice), and how to build its content. Content is built only when a
file is rendered: a stored edition is served without reading the templates.

Another kind (the dunning letter) adds its loader with `register_loader`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from adapters.blobs import BlobMissing, BlobStore
from adapters.documents.cii import invoice_cii
from adapters.documents.content import (
    Party,
    PrintedContent,
    address_lines,
    bank_details,
    logo_uri,
    seller_footer,
    seller_party,
)
from adapters.documents.invoice_content import invoice_content
from adapters.documents.sales import (
    Letterhead,
    acknowledgement_content,
    delivery_content,
    quote_content,
)
from application.commands import CommandRunner
from domain.company import COMPANY_ID, Company
from domain.company_details import JPEG_MAGIC, PNG_MAGIC, CompanyDetails, LogoRef
from domain.customer import AddressKind, Customer
from domain.errors import CompanyNotEstablished, InvalidInput, NotFound, UnknownDelivery
from domain.invoice import Invoice
from domain.invoice_states import DocumentKind, InvoiceStatus
from domain.invoice_terms import Buyer
from domain.order import Order
from domain.printed_document import PrintedKind
from domain.quote import Quote, QuoteStatus

MAGIC = {PNG_MAGIC: "image/png", JPEG_MAGIC: "image/jpeg"}


@dataclass(frozen=True)
class Edition:
    """One edition of a source document: what it is, whether issued, how to print it."""

    kind: PrintedKind
    source_id: UUID
    edition: str
    source_version: int
    issued: bool
    build: Callable[[], PrintedContent]
    # the Factur-X XML an issued invoice or credit note embeds
    xml: Callable[[], bytes] | None = None


class SourceReader:
    """What loaders read besides their source: the seller, its logo, the customer."""

    def __init__(self, runner: CommandRunner, blobs: BlobStore) -> None:
        self.runner = runner
        self.blobs = blobs

    def company(self) -> Company:
        try:
            return self.runner.load(Company, COMPANY_ID)
        except NotFound:
            raise CompanyNotEstablished(
                "the company's settings are not established: PUT /company before printing"
            ) from None

    def letterhead(
        self, details: CompanyDetails, logo: LogoRef | None, watermark: str | None
    ) -> Letterhead:
        data = None
        if logo is not None:
            try:
                data = self.blobs.get(logo.sha256)
            except BlobMissing:
                data = None  # a logo lost from the blob store prints as no logo
        return Letterhead(
            seller=seller_party(details),
            footer=seller_footer(details),
            logo=logo_uri(logo, data),
            watermark=watermark,
            bank=bank_details(details),
        )

    def logo_by_hash(self, sha256: str | None) -> LogoRef | None:
        """The logo an invoice was issued with, by its hash (the company may have changed
        it since); its media type read from its first bytes."""
        if sha256 is None or sha256 not in self.blobs:
            return None
        data = self.blobs.get(sha256)
        media_type = next(
            (kind for magic, kind in MAGIC.items() if data.startswith(magic)), "image/svg+xml"
        )
        return LogoRef(sha256, media_type, len(data))

    def company_head(self, day: date, watermark: str | None) -> Letterhead:
        """The seller as in effect on `day` (its first settings before they took effect)."""
        company = self.company()
        details = company.details_on(day) or company.timeline[0].details
        return self.letterhead(details, company.logo, watermark)

    def customer(self, customer_id: UUID | None, prospect: str | None = None) -> Party:
        """The customer by name, billing address and VAT number; a prospect by name."""
        if customer_id is None:
            return Party(prospect or "")
        customer = self.runner.load(Customer, customer_id)
        return customer_party(customer, AddressKind.BILLING)


def customer_party(customer: Customer, kind: AddressKind) -> Party:
    addresses = [a for a in customer.addresses.values() if a.kind == kind]
    addresses = addresses or list(customer.addresses.values())
    name = customer.legal_name or customer.name
    identifiers = [f"TVA {customer.vat_number}"] if customer.vat_number else []
    return Party(name, address_lines(addresses[0] if addresses else None), identifiers)


def buyer_party(buyer: Buyer) -> Party:
    identifiers = [f"TVA intracommunautaire {buyer.vat_number}"] if buyer.vat_number else []
    return Party(buyer.name, address_lines(buyer.billing_address), identifiers)


def _number(selector: str | None, prefix: str, what: str) -> int | None:
    if selector is None:
        return None
    text = selector.removeprefix(prefix)
    if not text.isdigit():
        raise InvalidInput(f"{what} is {prefix}N (N a number), got {selector!r}")
    return int(text)


Loader = Callable[[SourceReader, UUID, str | None, date], Edition]


def quote_edition(reader: SourceReader, quote_id: UUID, selector: str | None, on: date) -> Edition:
    """Revision N (`rN`) as sent; by default the current revision, else the last sent."""
    quote = reader.runner.load(Quote, quote_id)
    revision = _number(selector, "r", "a quote's edition")
    if revision is None:
        sent = quote.status != QuoteStatus.DRAFT or not quote.revisions
        revision = quote.revision if sent else max(int(r) for r in quote.revisions)
    record = quote.revision_record(revision)
    issued = record.sent_at is not None

    def build() -> PrintedContent:
        day = record.sent_at.date() if record.sent_at is not None else on
        head = reader.company_head(day, None if issued else "PROJET")
        buyer = reader.customer(quote.customer_id, quote.prospect)
        return quote_content(quote, record, buyer, head, on)

    return Edition(PrintedKind.QUOTE, quote_id, f"r{revision}", quote.version, issued, build)


def acknowledgement_edition(
    reader: SourceReader, order_id: UUID, selector: str | None, on: date
) -> Edition:
    """The order as confirmed (`a0`) or after amendment N (`aN`); by default the latest."""
    order = reader.runner.load(Order, order_id)
    amendment = _number(selector, "a", "an acknowledgement's edition")
    if amendment is None:
        amendment = len(order.amendments)
    if amendment > len(order.amendments):
        raise NotFound(f"order {order_id} has {len(order.amendments)} amendments")
    issued = order.confirmed_at is not None

    def build() -> PrintedContent:
        head = reader.company_head(
            order.confirmed_at.date() if order.confirmed_at else on, None if issued else "PROJET"
        )
        buyer = reader.customer(order.customer_id)
        return acknowledgement_content(order, amendment, buyer, head, on)

    edition = f"a{amendment}"
    return Edition(
        PrintedKind.ORDER_ACKNOWLEDGEMENT, order_id, edition, order.version, issued, build
    )


def delivery_edition(
    reader: SourceReader, order_id: UUID, selector: str | None, on: date
) -> Edition:
    """One recorded delivery, by its id (`D1`)."""
    order = reader.runner.load(Order, order_id)
    found = [d for d in order.deliveries if d.delivery_id == selector]
    if selector is None or not found:
        raise UnknownDelivery(f"order {order_id} has no delivery {selector!r}")
    delivery = found[0]

    def build() -> PrintedContent:
        head = reader.company_head(delivery.at.date(), None)
        customer = reader.runner.load(Customer, order.customer_id)
        return delivery_content(
            order, delivery, customer_party(customer, AddressKind.DELIVERY), head
        )

    kind = PrintedKind.DELIVERY_NOTE
    return Edition(kind, order_id, delivery.delivery_id, order.version, True, build)


def invoice_edition(
    reader: SourceReader, invoice_id: UUID, selector: str | None, on: date
) -> Edition:
    """An invoice or a credit note as issued (its number), or a draft as a pro forma."""
    invoice = reader.runner.load(Invoice, invoice_id)
    issued = invoice.status == InvoiceStatus.ISSUED
    credit = invoice.kind == DocumentKind.CREDIT_NOTE
    kind = PrintedKind.CREDIT_NOTE if credit else PrintedKind.INVOICE

    def build() -> PrintedContent:
        if issued and invoice.seller is not None:
            details = invoice.seller.details
            logo = reader.logo_by_hash(invoice.seller.logo_sha256)
            head = reader.letterhead(details, logo, None)
        else:
            day = invoice.issue_date or on
            head = reader.company_head(day, None if issued else "PRO FORMA")
            company = reader.company()
            details = company.details_on(day) or company.timeline[0].details
        if issued and invoice.buyer is not None:
            buyer = buyer_party(invoice.buyer)
        else:
            buyer = reader.customer(invoice.customer_id)
        return invoice_content(invoice, details, buyer, head, on)

    edition = invoice.number if issued and invoice.number else "pro-forma"
    xml = (lambda: invoice_cii(invoice)) if issued else None
    return Edition(kind, invoice_id, edition, invoice.version, issued, build, xml)


LOADERS: dict[PrintedKind, Loader] = {
    PrintedKind.QUOTE: quote_edition,
    PrintedKind.ORDER_ACKNOWLEDGEMENT: acknowledgement_edition,
    PrintedKind.DELIVERY_NOTE: delivery_edition,
    PrintedKind.INVOICE: invoice_edition,
    PrintedKind.CREDIT_NOTE: invoice_edition,
}


def register_loader(kind: PrintedKind, loader: Loader) -> None:
    """Print another kind of document (a dunning letter): its loader and its template
    `adapters/documents/templates/<kind>.html`."""
    LOADERS[kind] = loader


def loader_of(kind: PrintedKind) -> Loader:
    try:
        return LOADERS[kind]
    except KeyError:
        raise NotFound(f"Comptoir does not print {kind} documents yet") from None
