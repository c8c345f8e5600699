"""Any sequence of commands on invoices and credit notes keeps their invariants: numbers
gapless and chronological per series, totals the sum of their lines per VAT breakdown,
credit notes never above their invoice, deposits deducted never above an issued
invoice's total, nothing due below zero, replay equals live."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError, InvalidAmount
from domain.invoice import TRANSITIONS, DocumentKind, Invoice, InvoiceStatus
from domain.invoice_credit import CreditRequest
from domain.invoice_deposits import DepositDeduction
from domain.invoice_lines import InvoiceLine, VatCategory
from domain.invoice_numbers import Series
from domain.invoice_terms import Buyer, InvoiceDetails, OperationCategory
from domain.invoicing import Amounts
from domain.values import ZERO, Discount, DiscountKind
from tests.unit.replay import replay, state_of
from tests.unit.sellers import SELLER

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CUSTOMER = uuid4()

quantities = st.decimals(min_value=0, max_value=20, places=1)
prices = st.decimals(min_value=0, max_value=3000, places=2)
# (category, rate, reason): mostly valid, with the odd mismatch
vat = st.sampled_from(
    [
        (VatCategory.STANDARD, Decimal(20), None),
        (VatCategory.STANDARD, Decimal("5.5"), None),
        (VatCategory.ZERO_RATED, Decimal(0), None),
        (VatCategory.EXEMPT, Decimal(0), "Art. 261 CGI"),
        (VatCategory.REVERSE_CHARGE, Decimal(0), "Autoliquidation"),
        (VatCategory.EXPORT, Decimal(0), "Export"),
        (VatCategory.EXEMPT, Decimal(0), None),
        (VatCategory.STANDARD, Decimal(0), None),
    ]
)
discounts = st.none() | st.builds(
    Discount, st.sampled_from(list(DiscountKind)), st.decimals(min_value=0, max_value=60, places=0)
)
documents = st.integers(min_value=0, max_value=5)
line_ids = st.sampled_from(["1", "2", "3", "4"])


class InvoiceSeries(RuleBasedStateMachine):
    """Drafts, issues and credits several invoices of one customer, numbering them as the
    application does: the next value of the series, not before the previous date."""

    @initialize()
    def start(self) -> None:
        self.now = T0
        self.documents: list[Invoice] = []
        self.events: dict[Any, list[Any]] = {}
        self.series: dict[str, list[tuple[str, date]]] = {s.value: [] for s in Series}

    def attempt(self, document: Invoice, verb: Callable[[], object]) -> bool:
        before = state_of(document)
        try:
            verb()
        except DomainError:
            assert document.pending_events == []
            assert state_of(document) == before
            return False
        self.record(document)
        return True

    def record(self, document: Invoice) -> None:
        self.events.setdefault(document.id, []).extend(document.collect_events())

    def pick(self, index: int, status: InvoiceStatus | None = None) -> Invoice | None:
        """A document, or one of the invoices in `status` (most of the time)."""
        chosen = self.documents
        if status is not None and index:
            chosen = [d for d in chosen if d.status == status and d.kind == DocumentKind.INVOICE]
        return chosen[index % len(chosen)] if chosen else None

    def numbering(self, series: Series, day: date) -> tuple[str, date | None]:
        issued = self.series[series.value]
        return series.number(day.year, len(issued) + 1), issued[-1][1] if issued else None

    @rule(days=st.integers(min_value=0, max_value=4))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days, hours=1)

    @rule(
        percents=st.lists(st.decimals(min_value=0, max_value=30, places=0), max_size=2),
        deposit=st.none() | st.decimals(min_value=0, max_value=4000, places=2),
    )
    def draft(self, percents: list[Decimal], deposit: Decimal | None) -> None:
        deposits = [] if deposit is None else [DepositDeduction("INV-2026-09999", deposit)]
        details = InvoiceDetails(OperationCategory.BOTH, discounts=percents, deposits=deposits)
        if deposit is not None and deposit <= 0:
            with pytest.raises(InvalidAmount):
                Invoice.draft(at=self.now, customer_id=CUSTOMER, currency="EUR", details=details)
            return
        invoice = Invoice.draft(at=self.now, customer_id=CUSTOMER, currency="EUR", details=details)
        first = InvoiceLine(
            "", "Survey", Decimal(3), "day", Decimal("650.00"), VatCategory.STANDARD, Decimal(20)
        )
        invoice.add_line(at=self.now, line=first)
        self.record(invoice)
        self.documents.append(invoice)

    @rule(which=documents, quantity=quantities, price=prices, tax=vat, discount=discounts)
    def add_line(
        self,
        which: int,
        quantity: Decimal,
        price: Decimal,
        tax: tuple[VatCategory, Decimal, str | None],
        discount: Discount | None,
    ) -> None:
        invoice = self.pick(which)
        if invoice is not None:
            line = InvoiceLine("", "Work", quantity, "unit", price, *tax, discount=discount)
            self.attempt(invoice, lambda: invoice.add_line(at=self.now, line=line))

    @rule(which=documents, line_id=line_ids, quantity=quantities, tax=vat)
    def change_line(
        self,
        which: int,
        line_id: str,
        quantity: Decimal,
        tax: tuple[VatCategory, Decimal, str | None],
    ) -> None:
        invoice = self.pick(which)
        if invoice is not None:
            category, rate, reason = tax
            self.attempt(
                invoice,
                lambda: invoice.change_line(
                    line_id,
                    at=self.now,
                    quantity=quantity,
                    vat_category=category,
                    vat_rate=rate,
                    exemption_reason=reason,
                ),
            )

    @rule(which=documents, line_id=line_ids)
    def remove_line(self, which: int, line_id: str) -> None:
        invoice = self.pick(which)
        if invoice is not None:
            self.attempt(invoice, lambda: invoice.remove_line(line_id, at=self.now))

    @rule(which=documents, back=st.integers(min_value=-1, max_value=6), vat_number=st.booleans())
    def issue(self, which: int, back: int, vat_number: bool) -> None:
        invoice = self.pick(which, InvoiceStatus.DRAFT)
        if invoice is None:
            return
        day = self.now.date() - timedelta(days=back)
        number, not_before = self.numbering(Series.INVOICE, day)
        buyer = Buyer("Martin SA", "FR40303265045" if vat_number else None)
        issued = self.attempt(
            invoice,
            lambda: invoice.issue(
                at=self.now,
                number=number,
                issue_date=day,
                not_before=not_before,
                buyer=buyer,
                seller=SELLER,
            ),
        )
        if issued:
            self.series[Series.INVOICE.value].append((number, day))

    @rule(
        which=documents,
        back=st.integers(min_value=0, max_value=3),
        how=st.sampled_from(["whole", "lines", "amount"]),
        line_id=line_ids,
        size=st.decimals(min_value=0, max_value=3000, places=2),
    )
    def credit(self, which: int, back: int, how: str, line_id: str, size: Decimal) -> None:
        invoice = self.pick(which, InvoiceStatus.ISSUED)
        if invoice is None:
            return
        request = {
            "whole": CreditRequest(),
            "lines": CreditRequest(quantities={line_id: (size / 300).quantize(Decimal(1)) or None}),
            "amount": CreditRequest(amount=(size / 3).quantize(Decimal("0.01"))),
        }[how]
        day = self.now.date() - timedelta(days=back)
        before = state_of(invoice)
        try:
            note, credit = Invoice.credit_note(
                at=self.now, source=invoice.creditable(), request=request
            )
            number, not_before = self.numbering(Series.CREDIT_NOTE, day)
            note.issue(
                at=self.now,
                number=number,
                issue_date=day,
                not_before=not_before,
                buyer=Buyer("Martin SA", "FR40303265045"),
                seller=SELLER,
            )
            invoice.record_credit(at=self.now, credit_note_id=note.id, number=number, credit=credit)
        except DomainError:
            assert invoice.pending_events == []
            assert state_of(invoice) == before
            return
        self.series[Series.CREDIT_NOTE.value].append((number, day))
        self.record(note)
        self.record(invoice)
        self.documents.append(note)

    @invariant()
    def numbers_are_gapless_and_chronological_per_series(self) -> None:
        for series, issued in self.series.items():
            for index, (number, _) in enumerate(issued, start=1):
                assert number.startswith(f"{series}-")
                assert number.endswith(f"-{index:05d}")
            dates = [day for _, day in issued]
            assert dates == sorted(dates)
        numbered = [d.number for d in self.documents if d.number is not None]
        assert sorted(numbered) == sorted(n for s in self.series.values() for n, _ in s)

    @invariant()
    def totals_are_the_sum_of_their_lines_per_breakdown(self) -> None:
        for document in self.documents:
            totals = document.totals()
            assert totals.lines_net == sum(
                (line.net("EUR") for line in document.lines.values()), ZERO
            )
            groups = {line.group for line in document.lines.values()}
            assert set(totals.amounts.bases) == groups
            if not document.details.discounts:
                for group in groups:
                    nets = (line.net("EUR") for line in document.lines.values())
                    in_group = [
                        n
                        for n, line in zip(nets, document.lines.values(), strict=True)
                        if line.group == group
                    ]
                    assert totals.amounts.bases[group] == sum(in_group, ZERO)
            assert totals.gross == totals.net + totals.vat
            assert totals.net <= totals.lines_net
            if document.status == InvoiceStatus.ISSUED:
                assert document.issued_amounts == totals.amounts

    @invariant()
    def credit_notes_never_exceed_their_invoice_and_nothing_is_due_below_zero(self) -> None:
        notes: dict[Any, Amounts] = {}
        for document in self.documents:
            assert document.amount_due >= 0
            assert document.status in TRANSITIONS
            if document.kind == DocumentKind.CREDIT_NOTE:
                assert document.credited is not None
                key = document.credited.invoice_id
                notes[key] = notes.get(key, Amounts()).plus(document.totals().amounts)
        for document in self.documents:
            if document.kind == DocumentKind.INVOICE:
                credited = notes.get(document.id, Amounts())
                assert credited.gross == document.credited_amounts.gross
                assert credited.capped_by(document.totals().amounts) == credited

    @invariant()
    def an_issued_invoice_deducts_deposits_within_its_total(self) -> None:
        for document in self.documents:
            if document.status != InvoiceStatus.ISSUED or document.kind != DocumentKind.INVOICE:
                continue
            gross = document.totals().gross
            assert document.prepaid <= gross
            left = gross - document.prepaid - document.credited_amounts.gross - document.amount_paid
            assert document.amount_due == max(ZERO, left)

    @invariant()
    def replaying_the_events_gives_the_same_documents(self) -> None:
        for document in self.documents:
            assert state_of(replay(self.events[document.id], Invoice)) == state_of(document)


InvoiceSeries.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_any_sequence_of_invoice_commands_keeps_the_invariants = InvoiceSeries.TestCase
