"""The contents of a quote revision, an order acknowledgement and a delivery note.

A quote prints one revision exactly as its record says (lines, discounts, validity, the
date it was sent); an acknowledgement prints the order's lines as confirmed (`a0`) or
after amendment N (`aN`), with the amendments so far; a delivery note prints one
delivery's quantities with what was ordered, delivered before and is left to deliver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from adapters.documents import formats as fmt
from adapters.documents.content import LineRow, Party, PrintedContent, TotalRow, short_reference
from domain.order import Delivery, Order, OrderLine
from domain.printed_document import PrintedKind
from domain.quote import Quote
from domain.quote_lines import QuoteLine, RevisionRecord
from domain.values import ZERO, DiscountKind, Totals, compute_totals, line_net


@dataclass(frozen=True)
class Letterhead:
    """What every document of a day shares: the seller, its footer and logo, the mark."""

    seller: Party
    footer: list[str]
    logo: str | None = None
    watermark: str | None = None
    bank: str | None = None


def priced_rows(lines: Iterable[QuoteLine | OrderLine], currency: str) -> list[LineRow]:
    rows = []
    for line in lines:
        discount = ""
        if line.discount is not None:
            value = line.discount.value
            discount = (
                fmt.percent(value)
                if line.discount.kind == DiscountKind.PERCENT
                else fmt.money(value, currency)
            )
        rows.append(
            LineRow(
                reference=line.product_ref or "",
                description=line.description,
                quantity=fmt.number(line.quantity),
                unit=fmt.unit_label(line.unit),
                unit_price=fmt.money(line.unit_price, currency),
                discount=discount,
                vat=fmt.percent(line.vat_rate),
                net=fmt.money(line_net(line.priced(), currency), currency),
            )
        )
    return rows


def total_rows(totals: Totals, discounts: list[Decimal]) -> list[TotalRow]:
    """Lines' net, the document discount if any, net, VAT per rate, total incl. tax."""
    currency = totals.currency
    rows = [TotalRow("Total des lignes HT", fmt.money(totals.lines_net, currency))]
    if discounts and totals.lines_net != totals.net:
        label = "Remise " + " + ".join(fmt.percent(p) for p in discounts)
        rows.append(TotalRow(label, fmt.money(totals.net - totals.lines_net, currency)))
    rows.append(TotalRow("Total HT", fmt.money(totals.net, currency)))
    for rate, vat in sorted(totals.vat_by_rate.items()):
        rows.append(TotalRow(f"TVA {fmt.percent(rate)}", fmt.money(vat, currency)))
    rows.append(TotalRow("Total TTC", fmt.money(totals.gross, currency), strong=True))
    return rows


def quote_content(
    quote: Quote, record: RevisionRecord, buyer: Party, head: Letterhead, on: date
) -> PrintedContent:
    """Revision `record.revision` of `quote`, dated the day it was sent (`on` for a draft)."""
    reference = short_reference("Q", quote.id)
    day = record.sent_at.date() if record.sent_at is not None else on
    facts = [("Date", fmt.long_date(day)), ("Révision", str(record.revision))]
    if record.valid_until is not None:
        facts.append(("Valable jusqu'au", fmt.long_date(record.valid_until)))
    if quote.salesperson:
        facts.append(("Votre contact", quote.salesperson))
    notes = [quote.title] if quote.title else []
    if record.reason:
        notes.append(f"Révision {record.revision} : {record.reason}")
    mentions = ["Prix en " + record.currency + ", hors taxes sauf mention contraire."]
    if record.valid_until is not None:
        mentions.append(f"Offre valable jusqu'au {fmt.long_date(record.valid_until)}.")
    return PrintedContent(
        kind=PrintedKind.QUOTE,
        title="Devis",
        reference=f"{reference} · révision {record.revision}",
        file_name=f"Devis-{reference}-r{record.revision}.pdf",
        issued_on=day,
        seller=head.seller,
        buyer=buyer,
        facts=facts,
        lines=priced_rows(record.lines.values(), record.currency),
        totals=total_rows(record.totals(), record.discounts),
        mentions=mentions,
        notes=notes,
        footer=head.footer,
        watermark=head.watermark,
        logo=head.logo,
        signature_box=True,
    )


def acknowledgement_content(
    order: Order, amendment: int, buyer: Party, head: Letterhead, on: date
) -> PrintedContent:
    """The order as confirmed (`amendment` 0) or after amendment N, dated that day."""
    reference = short_reference("C", order.id)
    lines = order.lines_as_of(amendment)
    amendments = order.amendments[:amendment]
    if amendments:
        day = amendments[-1].at.date()
    else:
        day = order.confirmed_at.date() if order.confirmed_at is not None else on
    facts = [("Date", fmt.long_date(day))]
    if order.quote_id is not None:
        facts.append(("Votre devis", short_reference("Q", order.quote_id)))
    if amendment:
        facts.append(("Avenant", f"n° {amendment}"))
    priced = [line.priced() for line in lines.values()]
    totals = compute_totals(priced, order.currency, order.discounts, order.discount_mode)
    notes = [f"Avenant n° {a.number} du {fmt.long_date(a.at)} : {a.reason}" for a in amendments]
    return PrintedContent(
        kind=PrintedKind.ORDER_ACKNOWLEDGEMENT,
        title="Accusé de réception de commande",
        reference=reference + (f" · avenant {amendment}" if amendment else ""),
        file_name=f"Commande-{reference}-a{amendment}.pdf",
        issued_on=day,
        seller=head.seller,
        buyer=buyer,
        facts=facts,
        lines=priced_rows(lines.values(), order.currency),
        totals=total_rows(totals, order.discounts),
        mentions=["Nous accusons réception de votre commande et vous en remercions."],
        notes=notes,
        footer=head.footer,
        watermark=head.watermark,
        logo=head.logo,
    )


def delivery_content(
    order: Order, delivery: Delivery, buyer: Party, head: Letterhead
) -> PrintedContent:
    """One delivery: per line delivered, what was ordered, delivered before, left."""
    reference = short_reference("C", order.id)
    day = order.delivered_on(delivery.delivery_id)  # the day stated, not the record time
    index = next(i for i, d in enumerate(order.deliveries) if d.delivery_id == delivery.delivery_id)
    before: dict[str, Decimal] = {}
    for earlier in order.deliveries[:index]:
        for line_id, quantity in earlier.quantities.items():
            before[line_id] = before.get(line_id, ZERO) + quantity
    rows = []
    for line_id, quantity in delivery.quantities.items():
        line = order.lines.get(line_id)
        ordered = line.quantity if line is not None else quantity
        done = before.get(line_id, ZERO)
        rows.append(
            LineRow(
                reference=(line.product_ref or "") if line is not None else "",
                description=line.description if line is not None else f"Ligne {line_id}",
                quantity=fmt.number(quantity),
                unit=fmt.unit_label(line.unit) if line is not None else "",
                ordered=fmt.number(ordered),
                delivered_before=fmt.number(done),
                remaining=fmt.number(max(ordered - done - quantity, ZERO)),
            )
        )
    return PrintedContent(
        kind=PrintedKind.DELIVERY_NOTE,
        title="Bon de livraison",
        reference=f"{delivery.delivery_id} · commande {reference}",
        file_name=f"BL-{reference}-{delivery.delivery_id}.pdf",
        issued_on=day,
        seller=head.seller,
        buyer=buyer,
        facts=[("Date de livraison", fmt.long_date(day)), ("Commande", reference)],
        lines=rows,
        mentions=["Marchandises reçues en bon état — date, nom et signature du destinataire."],
        footer=head.footer,
        watermark=head.watermark,
        logo=head.logo,
        signature_box=True,
    )
