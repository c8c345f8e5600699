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
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import eventsourcing.domain as es_domain
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, StoredEvent

import domain.affair as affair_module
import domain.asset as asset_module
import domain.contract as contract_module
from adapters.bulk import stories
from adapters.transcoding import domain_transcoder
from domain.customer import Contact, Customer, CustomerStatus
from domain.errors import DomainError

START = datetime(2021, 1, 4, 8, 0, tzinfo=UTC)
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


class Story:
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
        story = Story(self, start)
        story.later()
        customer = self._customer(story)
        roll = self.rng.random()
        if roll < self.mix.affair:
            kind = "affair"
            stories.affair_story(self, story, customer)
        elif roll < self.mix.affair + self.mix.contract:
            kind = "contract"
            stories.contract_story(self, story, customer)
        else:
            kind = "asset"
            stories.asset_story(self, story, customer)
        self.stats.stories[kind] = self.stats.stories.get(kind, 0) + 1

    def _customer(self, story: Story) -> Customer:
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


def generate(n: int, seed: int = 42, mapper: Mapper[Any] | None = None) -> Iterator[StoredEvent]:
    """The first `n` stored events of the seeded company's history."""
    return DatasetGenerator(seed, mapper).events(n)
