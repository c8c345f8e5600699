"""An affair's time and materials invoices (A5, A6, issue 14), and what a credit note on
one takes off the affair's invoiced revenue. No business rule here.

Invoicing chosen entries reads their events (an entry's id is the affair's version at
which it was recorded), has the affair check and price them, issues the invoice to the
affair's customer (`InvoiceIssuer`) and records on the affair, in the same transaction,
the entries it took and its net as invoiced revenue: a retry with the same idempotency
key replays, and an entry is never invoiced twice. A credit note on such an invoice
records its net as a negative invoiced revenue on the affair, in the credit note's own
transaction (the credit follower wired in `application.app`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.affair_costs import AffairVerbs
from application.commands import CommandResult, CommandRunner, Outcome
from application.invoice_issuing import InvoiceIssuer, issue_date_of
from application.journal import CommandContext
from application.numbers import money_text
from domain.affair import Affair
from domain.affair_invoicing import (
    AffairEntry,
    EntryKind,
    InvoicedDocument,
    SalePrices,
    entry_details,
)
from domain.budget import CostEntry, RevenueKind
from domain.errors import InvalidInput, UnknownAffairEntry
from domain.invoice import Invoice
from domain.invoice_credit import CreditLines
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import PaymentTerms


def entries_of(events: Iterable[Any], wanted: set[int]) -> list[AffairEntry]:
    """The wanted time entries and costs among an affair's events, by id (version); the
    receipt of a committed cost is a cost of the amount committed last for its document."""
    committed: dict[str, CostEntry] = {}
    found: dict[int, AffairEntry] = {}
    for event in events:
        version: int = event.originator_version
        entry: AffairEntry | None = None
        if isinstance(event, Affair.TimeLogged):
            entry = AffairEntry(
                version,
                EntryKind.TIME,
                event.day,
                event.cost,
                event.billable,
                employee=event.employee,
                hours=event.hours,
            )
        elif isinstance(event, Affair.CostRecorded):
            cost: CostEntry = event.entry
            if cost.committed:
                committed[cost.document_ref] = cost
            kind = EntryKind.COMMITTED_COST if cost.committed else EntryKind.COST
            entry = _cost(version, kind, cost)
        elif isinstance(event, Affair.CommittedCostReceived) and event.document_ref in committed:
            entry = _cost(version, EntryKind.COST, committed[event.document_ref])
        if entry is not None and version in wanted:
            found[version] = entry
    unknown = sorted(wanted - set(found))
    if unknown:
        raise UnknownAffairEntry(
            f"the affair has no time entry or cost {', '.join(map(str, unknown))}"
        )
    return [found[version] for version in sorted(found)]


def _cost(version: int, kind: EntryKind, cost: CostEntry) -> AffairEntry:
    return AffairEntry(
        version,
        kind,
        cost.document_date,
        cost.amount,
        category=cost.category,
        document_ref=cost.document_ref,
    )


class AffairInvoiceCommands(AffairVerbs):
    """Use cases of an affair's time and materials invoices."""

    def __init__(self, runner: CommandRunner) -> None:
        super().__init__(runner)
        self.issuer = InvoiceIssuer(runner)

    def entries(self, affair: Affair, entry_ids: Sequence[int]) -> list[AffairEntry]:
        """The affair's time entries and costs named by their ids, read from its events."""
        wanted = set(entry_ids)
        if len(wanted) != len(entry_ids):
            raise InvalidInput("each entry may be chosen only once")
        if not wanted:
            return []
        last = min(max(wanted), affair.version)
        return entries_of(self.runner.app.events.get(affair.id, lte=last), wanted)

    def invoice_entries(
        self,
        ctx: CommandContext,
        affair_id: UUID,
        *,
        entry_ids: Sequence[int],
        prices: SalePrices,
        issue_date: date,
        payment_terms: PaymentTerms | None = None,
    ) -> CommandResult:
        """Invoice chosen billable time entries and costs to the affair's customer,
        dated `issue_date`; the affair records them and the invoiced revenue."""
        day = issue_date_of(issue_date)

        def build() -> Outcome:
            affair = self.runner.load(Affair, affair_id, ctx)
            entries = self.entries(affair, entry_ids)
            lines = affair.to_invoice(entries, prices, day)
            assert affair.customer_id is not None  # to_invoice refuses an affair without
            issued = self.issuer.issue_new(
                ctx,
                customer_id=affair.customer_id,
                lines=lines,
                details=entry_details(entries, affair.name, payment_terms),
                issue_date=day,
                source=InvoiceSource(
                    SourceKind.AFFAIR, affair.id, ",".join(str(e.entry_id) for e in entries)
                ),
                currency=affair.currency,
            )
            net = issued.invoice.totals().net
            document = InvoicedDocument(issued.invoice.id, issued.number, day, net)
            affair.invoice_entries(ctx.at, entries, document)
            result = {
                "invoice_id": str(issued.invoice.id),
                "invoice_number": issued.number,
                "entry_ids": [str(e.entry_id) for e in entries],
                "net": money_text(net, affair.currency),
            }
            return Outcome([affair, *issued.aggregates], result, issued.claims)

        payload: dict[str, Any] = {
            "affair_id": affair_id,
            "entry_ids": list(entry_ids),
            "prices": asdict(prices),
            "issue_date": day,
            "payment_terms": None if payment_terms is None else asdict(payment_terms),
        }
        return self.runner.run(ctx, "affair.invoice_entries", payload, build)

    def follow_credit(
        self, ctx: CommandContext, note: Invoice, invoice: Invoice, credit: CreditLines
    ) -> Sequence[Aggregate]:
        """A credit note on a time and materials invoice takes its net off the affair's
        invoiced revenue, in the credit note's transaction."""
        if invoice.source is None or note.number is None or note.issue_date is None:
            return ()
        affair = self.runner.load(Affair, invoice.source.document_id)
        affair.record_revenue(
            ctx.at, RevenueKind.INVOICED, -credit.amounts.net, note.number, note.issue_date
        )
        return [affair]
