"""A realistic, reproducible history for a small company, made by the real domain.

`generate(n, seed)` runs the domain aggregates in memory — no event store, no
application — on a simulated clock and a seeded random, and yields the resulting
events as `StoredEvent`s encoded by the application's own mapper, in the order a real
log would hold them (by simulated time; each aggregate's versions in order). The
first `n` events are yielded, so every aggregate's history is a prefix of a valid one.

What a "small company" means here (proportions are per *story*; see `Mix`):

- customers: registered as customers with a contact and a credit limit; ~1 new
  customer per 3 stories, the others reuse existing customers;
- affairs (~70 % of stories): opened, budgeted (4 categories) and baselined, moved
  through the stage ladder (won ~45 %, lost ~25 %, else left open), with 1–2 quotes
  (lines, sent, revised ~40 %, accepted/declined), time entries (the bulk of the log),
  costs, progress reports, and for won affairs an order (confirmed, amended ~30 %,
  delivered in 1–2 parts, invoiced, paid);
- contracts (~15 %): signed service contracts billed monthly or quarterly for up to
  two years;
- assets (~15 %): installed equipment with warranties and 0–3 service cases (intake,
  diagnosis, repair, returned, checklist).

Roughly: time entries ~35 % of events, quote events ~17 %, order events ~9 %,
contract billing ~10 %, the rest affair bookkeeping, assets and customers.

Determinism: the aggregates draw ids from `uuid4` and (for quotes, affairs, orders and
customers) event timestamps from the library clock; while generating, both are
redirected to the seeded random and the simulated clock (and restored afterwards), so
the same seed gives byte-identical stored events.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import eventsourcing.domain as es_domain
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent

import domain.affair as affair_module
import domain.asset as asset_module
import domain.contract as contract_module
from adapters.transcoding import domain_transcoder
from domain.affair import Affair, SaleType
from domain.asset import Asset, ServiceCaseStatus
from domain.budget import BudgetCategory, RevenueKind
from domain.contract import Contract, ContractLine
from domain.customer import Contact, Customer, CustomerStatus
from domain.errors import DomainError
from domain.invoicing import format_invoice_number
from domain.order import AddLine, ChangeLine, Order, OrderLine
from domain.periods import Frequency
from domain.quote import Quote
from domain.warranty import WarrantyKind

START = datetime(2021, 1, 4, 8, 0, tzinfo=UTC)
SALESPEOPLE = ["alice", "bruno", "chloe", "damien", "elise", "farid"]
EMPLOYEES = ["gina", "hugo", "ines", "jules", "karim", "lea", "marc", "nora"]
ZONES = [("north", "FR"), ("south", "FR"), ("east", "DE"), ("west", "BE"), ("export", "ES")]
PRODUCTS = [
    ("REG-100", "Cash register", Decimal("549.00"), Decimal("20")),
    ("SCN-20", "Barcode scanner", Decimal("89.90"), Decimal("20")),
    ("PRN-7", "Receipt printer", Decimal("219.00"), Decimal("20")),
    ("SRV-INST", "Installation (day)", Decimal("640.00"), Decimal("20")),
    ("SRV-TRAIN", "Training (half day)", Decimal("380.00"), Decimal("20")),
    ("LIC-POS", "POS licence (year)", Decimal("300.00"), Decimal("20")),
    ("BOOK-1", "User manual", Decimal("24.00"), Decimal("5.5")),
]
STORY_MEAN_GAP_S = 3 * 3600  # a new affair, contract or asset every ~3 working hours


@dataclass(frozen=True)
class Mix:
    """Which kind of story starts next, and how often a story brings a new customer."""

    affair: float = 0.70
    contract: float = 0.15
    new_customer: float = 0.33


@dataclass
class GeneratorStats:
    """What a run produced, for tests and the benchmark's report."""

    events: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    refused: int = 0


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def _simulated(rng: random.Random, clock: _Clock) -> Iterator[None]:
    """Route the aggregates' ids and library timestamps to the seeded random and clock."""

    def seeded_uuid4() -> UUID:
        return UUID(int=rng.getrandbits(128), version=4)

    saved: list[tuple[Any, str, Any]] = []
    for module, name, value in (
        (es_domain, "uuid4", seeded_uuid4),
        (affair_module, "uuid4", seeded_uuid4),
        (asset_module, "uuid4", seeded_uuid4),
        (contract_module, "uuid4", seeded_uuid4),
        (es_domain, "datetime_now_with_tzinfo", clock),
    ):
        saved.append((module, name, getattr(module, name)))
        setattr(module, name, value)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


class _Story:
    """Collects one story's events with the simulated time each was recorded at."""

    def __init__(self, gen: DatasetGenerator, start: datetime) -> None:
        self.gen = gen
        self.at = start

    def later(self, *, hours: float = 0, days: float = 0) -> datetime:
        """Move this story's clock forward (never back), within working hours."""
        at = self.at + timedelta(days=days, hours=hours)
        if at.hour >= 18:
            at = at.replace(hour=8) + timedelta(days=1)
        if at.weekday() >= 5:
            at += timedelta(days=7 - at.weekday())
        self.at = at
        self.gen.clock.now = at
        return at

    def flush(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            for event in aggregate.collect_events():
                self.gen.push(event)

    def attempt(self, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a verb; a refusal by the domain emits nothing and is only counted."""
        try:
            return action(*args, **kwargs)
        except DomainError:
            self.gen.stats.refused += 1
            return None


class DatasetGenerator:
    """Yields stored events of a simulated company (see the module docstring)."""

    def __init__(self, seed: int = 42, mapper: Mapper[Any] | None = None, mix: Mix = Mix()):
        self.seed = seed
        self.rng = random.Random(seed)
        self.mix = mix
        self.mapper = mapper or Mapper(transcoder=domain_transcoder())
        self.clock = _Clock()
        self.stats = GeneratorStats()
        self.customers: list[Customer] = []
        self.sequences: dict[str, int] = {}  # gapless invoice numbering, per year
        self._heap: list[tuple[datetime, int, StoredEvent]] = []
        self._seq = itertools.count()

    # -- output ------------------------------------------------------------------------

    def push(self, event: Any) -> None:
        stored = self.mapper.to_stored_event(event)
        heapq.heappush(self._heap, (self.clock.now, next(self._seq), stored))

    def events(self, n: int) -> Iterator[StoredEvent]:
        """The first `n` events of the company's history, in log order."""
        emitted = 0
        with _simulated(self.rng, self.clock):
            start = START
            while emitted < n:
                start += timedelta(seconds=self.rng.expovariate(1 / STORY_MEAN_GAP_S))
                self._story(start)
                # every later story starts at or after `start`: earlier events are final
                while self._heap and self._heap[0][0] < start and emitted < n:
                    yield self._emit(heapq.heappop(self._heap)[2])
                    emitted += 1
            while self._heap and emitted < n:  # pragma: no cover - the loop above ends first
                yield self._emit(heapq.heappop(self._heap)[2])
                emitted += 1

    def _emit(self, stored: StoredEvent) -> StoredEvent:
        self.stats.events += 1
        name = stored.topic.rsplit(":", 1)[-1]
        self.stats.by_type[name] = self.stats.by_type.get(name, 0) + 1
        return stored

    # -- stories -----------------------------------------------------------------------

    def _story(self, start: datetime) -> None:
        story = _Story(self, start)
        story.later()
        customer = self._customer(story)
        roll = self.rng.random()
        if roll < self.mix.affair:
            kind = "affair"
            self._affair(story, customer)
        elif roll < self.mix.affair + self.mix.contract:
            kind = "contract"
            self._contract(story, customer)
        else:
            kind = "asset"
            self._asset(story, customer)
        self.stats.stories[kind] = self.stats.stories.get(kind, 0) + 1

    def _customer(self, story: _Story) -> Customer:
        rng = self.rng
        if self.customers and rng.random() >= self.mix.new_customer:
            return rng.choice(self.customers)
        number = len(self.customers) + 1
        customer = Customer.register(
            story.at,
            f"Customer {number:05d}",
            status=CustomerStatus.CUSTOMER,
            credit_limit=Decimal(rng.choice([20000, 50000, 100000, 250000])),
        )
        customer.add_contact(
            story.at, Contact(f"Contact {number}", email=f"buyer{number}@example.com")
        )
        story.flush(customer)
        self.customers.append(customer)
        return customer

    def _lines(self, count: int) -> list[tuple[str, str, Decimal, Decimal, Decimal]]:
        chosen = self.rng.sample(PRODUCTS, count)
        return [
            (ref, desc, Decimal(self.rng.randint(1, 12)), price, vat)
            for ref, desc, price, vat in chosen
        ]

    def _affair(self, story: _Story, customer: Customer) -> None:
        rng = self.rng
        zone, country = rng.choice(ZONES)
        amount = Decimal(rng.randint(20, 400) * 100)
        affair = Affair.open(
            story.at,
            name=f"Deal {story.at:%Y%m%d}-{rng.randint(0, 9999):04d}",
            customer_id=customer.id,
            prospect=None,
            salesperson=rng.choice(SALESPEOPLE),
            currency="EUR",
            expected_amount=amount,
            expected_close=(story.at + timedelta(days=rng.randint(30, 180))).date(),
            zone=zone,
            country=country,
            sale_type=rng.choice(list(SaleType)),
            risk=rng.choice(["low", "medium", "high"]),
            competitors=rng.sample(["Acme", "Globex", "Initech"], rng.randint(0, 2)),
        )
        for category, share in (
            (BudgetCategory.LABOUR, "0.35"),
            (BudgetCategory.PURCHASES, "0.30"),
            (BudgetCategory.EXPENSES, "0.05"),
            (BudgetCategory.SALES, "1"),
        ):
            affair.set_budget(story.at, category, (amount * Decimal(share)).quantize(Decimal("1")))
        affair.baseline(story.later(hours=1), "initial budget")
        story.flush(affair)

        quotes = [self._quote(story, customer, affair) for _ in range(1 + (rng.random() < 0.3))]
        outcome = rng.random()
        stages = ["E", "M", "B"]
        for stage in stages[: rng.randint(1, 3)]:
            story.attempt(affair.move_to_stage, story.later(days=rng.uniform(2, 15)), stage)
            self._work(story, affair, rng.randint(2, 8))
            story.flush(affair)
        won = outcome < 0.45
        if won:
            story.attempt(affair.move_to_stage, story.later(days=3), "A")
            quote = quotes[-1]
            if quote.status == "sent":
                story.attempt(quote.accept, at=story.later(hours=2))
                self._order(story, customer, affair, quote)
            self._work(story, affair, rng.randint(8, 25))
            story.attempt(affair.report_progress, story.later(days=5), Decimal(100))
        elif outcome < 0.70:
            for quote in quotes:
                if quote.status == "sent":
                    story.attempt(quote.decline, at=story.later(hours=3), reason="price")
            story.attempt(affair.lose, story.later(days=1), "went with a competitor")
        else:
            self._work(story, affair, rng.randint(0, 6))
        story.flush(affair, *quotes)

    def _work(self, story: _Story, affair: Affair, entries: int) -> None:
        rng = self.rng
        for _ in range(entries):
            at = story.later(hours=rng.uniform(1, 30))
            roll = rng.random()
            if roll < 0.75:
                story.attempt(
                    affair.log_time,
                    at,
                    rng.choice(EMPLOYEES),
                    at.date(),
                    Decimal(rng.choice(["1", "2", "3.5", "4", "7.5", "8"])),
                    hourly_rate=Decimal(rng.choice([55, 65, 80, 95])),
                )
            elif roll < 0.88:
                ref = f"PO-{rng.getrandbits(32):08x}"
                story.attempt(
                    affair.record_cost,
                    at,
                    rng.choice([BudgetCategory.PURCHASES, BudgetCategory.EXPENSES]),
                    Decimal(rng.randint(50, 3000)),
                    ref,
                    at.date(),
                )
            else:
                percent = Decimal(min(95, int(affair.progress or 0) + rng.randint(5, 25)))
                story.attempt(affair.report_progress, at, percent)
        story.flush(affair)

    def _quote(self, story: _Story, customer: Customer, affair: Affair) -> Quote:
        rng = self.rng
        at = story.later(hours=rng.uniform(1, 24))
        quote = Quote.draft(
            at=at,
            currency="EUR",
            customer_id=customer.id,
            valid_until=(at + timedelta(days=60)).date(),
            salesperson=affair.salesperson,
            title=affair.name,
        )
        for ref, desc, qty, price, vat in self._lines(rng.randint(2, 4)):
            quote.add_line(
                at=at,
                description=desc,
                quantity=qty,
                unit_price=price,
                vat_rate=vat,
                product_ref=ref,
            )
        story.attempt(quote.attach_to_affair, at=at, affair_id=affair.id)
        story.attempt(quote.send, at=story.later(hours=2))
        if rng.random() < 0.4:
            revised_at = story.later(days=rng.uniform(1, 7))
            story.attempt(quote.revise, at=revised_at, reason="customer asked")
            ref, desc, qty, price, vat = self._lines(1)[0]
            story.attempt(
                quote.add_line,
                at=story.at,
                description=desc,
                quantity=qty,
                unit_price=price,
                vat_rate=vat,
            )
            story.attempt(quote.send, at=story.later(hours=1))
        story.flush(quote)
        return quote

    def _next_invoice_number(self, at: datetime) -> str:
        """The year's next gapless number (taken only if the invoice is recorded)."""
        value = self.sequences.get(f"invoice-{at.year}", 0) + 1
        return format_invoice_number(at.year, value, "INV")

    def _order(self, story: _Story, customer: Customer, affair: Affair, quote: Quote) -> None:
        rng = self.rng
        if quote.status != "accepted":
            return
        order = Order.create(
            story.later(hours=1),
            customer.id,
            "EUR",
            [
                OrderLine(
                    q.line_id,
                    q.description,
                    q.quantity,
                    q.unit_price,
                    q.vat_rate,
                    q.unit,
                    q.product_ref,
                    q.discount,
                    q.unit_cost,
                )
                for q in quote.lines.values()
            ],
            quote_id=quote.id,
            affair_id=affair.id,
        )
        if story.attempt(quote.convert, at=story.at, order_id=order.id) is None:
            return
        story.attempt(order.confirm, story.later(hours=1), Decimal(0), None)
        total = order.totals().net
        story.attempt(
            affair.record_revenue,
            story.at,
            RevenueKind.ORDERED,
            total,
            f"ORD-{order.id.hex[:8]}",
            story.at.date(),
        )
        if rng.random() < 0.3:
            first = next(iter(order.lines))
            if rng.random() < 0.5:
                change: Any = ChangeLine(first, quantity=order.lines[first].quantity + 1)
            else:
                ref, desc, qty, price, vat = self._lines(1)[0]
                change = AddLine(
                    OrderLine(f"A{order.version}", desc, qty, price, vat, product_ref=ref)
                )
            story.attempt(order.amend, story.later(days=2), "customer added to the order", [change])
        parts = rng.randint(1, 2)
        for part in range(parts):
            quantities = {
                i: (
                    line.quantity if part == parts - 1 else (line.quantity / 2).quantize(Decimal(1))
                )
                - order.net_delivered(i)
                for i, line in order.lines.items()
            }
            quantities = {i: q for i, q in quantities.items() if q > 0}
            if quantities:
                story.attempt(
                    order.record_delivery, story.later(days=rng.uniform(3, 20)), quantities
                )
        invoiceable = {i: order.invoiceable(i) for i in order.lines}
        invoiceable = {i: q for i, q in invoiceable.items() if q > 0}
        if invoiceable:
            at = story.later(days=1)
            number = self._next_invoice_number(at)
            story.attempt(order.invoice, at, number, invoiceable)
            if number in order.invoices:
                self.sequences[f"invoice-{at.year}"] = int(number.rsplit("-", 1)[1])
                due = order.due(number)
                if due > 0:
                    split = (due / 2).quantize(Decimal("0.01")) if rng.random() < 0.3 else due
                    paid_at = story.later(days=rng.uniform(10, 45))
                    story.attempt(order.record_payment, paid_at, number, split)
                    rest = order.due(number)
                    if rest > 0 and rng.random() < 0.8:
                        story.attempt(order.record_payment, story.later(days=30), number, rest)
        story.flush(order, quote, affair)

    def _contract(self, story: _Story, customer: Customer) -> None:
        rng = self.rng
        frequency = rng.choice([Frequency.MONTH, Frequency.MONTH, Frequency.QUARTER])
        start = story.at.date().replace(day=1) + timedelta(days=32)
        start = start.replace(day=1)
        contract = Contract.sign(
            story.at,
            customer.id,
            "EUR",
            [
                ContractLine(
                    "Support and hosting",
                    Decimal(1),
                    Decimal(rng.choice([90, 150, 290, 490])),
                    Decimal(20),
                )
            ],
            frequency,
            start,
            end=date(start.year + 2, start.month, 1) - timedelta(days=1),
        )
        story.flush(contract)
        periods = 24 if frequency == Frequency.MONTH else 8
        step = 30.4 if frequency == Frequency.MONTH else 91.3
        for index in range(rng.randint(periods // 2, periods)):
            at = datetime.combine(start, story.at.timetz()) + timedelta(days=index * step + 1)
            if at < story.at:
                at = story.at
            story.at = at
            story.later()
            story.attempt(contract.bill, story.at, index)
            story.flush(contract)

    def _asset(self, story: _Story, customer: Customer) -> None:
        rng = self.rng
        ref, desc, _price, _vat = rng.choice(PRODUCTS[:3])
        asset = Asset.register(
            story.at,
            customer.id,
            ref,
            desc,
            f"SN{rng.getrandbits(40):010x}",
            f"Site {rng.randint(1, 5)}",
        )
        installed = story.at.date()
        asset.set_warranty(
            story.at, WarrantyKind.MANUFACTURER, installed, installed + timedelta(days=365)
        )
        if rng.random() < 0.5:
            asset.set_warranty(
                story.at,
                WarrantyKind.CUSTOMER,
                installed + timedelta(days=365),
                installed + timedelta(days=3 * 365),
            )
        story.flush(asset)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            at = story.later(days=rng.uniform(20, 200))
            case_id = asset.open_service_case(
                at, rng.choice(["does not start", "paper jam", "screen broken"])
            )
            story.attempt(asset.add_checklist_point, story.at, case_id, "1", "Visual inspection")
            story.attempt(asset.diagnose, story.later(days=1), case_id, "worn part")
            story.attempt(asset.advance, story.later(days=2), case_id, ServiceCaseStatus.REPAIR)
            story.attempt(asset.check_point, story.at, case_id, "1", rng.choice(EMPLOYEES))
            story.attempt(asset.return_to_customer, story.later(days=1), case_id)
            story.flush(asset)


def generate(n: int, seed: int = 42, mapper: Mapper[Any] | None = None) -> Iterator[StoredEvent]:
    """The first `n` stored events of the seeded company's history."""
    return DatasetGenerator(seed, mapper).events(n)
