"""The Comptoir application: one event store, one ordered log, every aggregate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application, Repository
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import EventStore, Transcoder
from eventsourcing.utils import strtobool

from adapters.eventstore.signed import SigningEventStore, SigningSnapshotStore
from adapters.transcoding import domain_transcoder
from application.access import AccessCommands
from application.affairs import AffairCommands
from application.assets import AssetCommands
from application.catalogue import CatalogueCommands
from application.commands import CommandRunner
from application.company import CompanyCommands
from application.contracts import ContractCommands
from application.customers import CustomerCommands
from application.documents import DocumentCommands
from application.invoices import InvoiceCommands
from application.journal import CommandJournal, JournalEntry
from application.notices import NoticeCommands
from application.orders import OrderCommands
from application.payments import PaymentCommands
from application.policies import Policies
from application.quotes import QuoteCommands
from application.repository import LockedCacheRepository
from application.signing import Keyring, ephemeral_keyring
from application.vouchers import VoucherCommands
from domain.affair import Affair
from domain.asset import Asset
from domain.contract import Contract
from domain.customer import Customer
from domain.invoice_source import SourceKind
from domain.order import Order
from domain.quote import Quote


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a document, with who recorded it, when and why."""

    position: int
    version: int
    event: DomainEvent
    journal: JournalEntry | None

    @property
    def type(self) -> str:
        return type(self.event).__qualname__

    @property
    def recorded_at(self) -> datetime:
        return self.event.timestamp


class Comptoir(Application[UUID]):
    """Holds all aggregates so projectors read one totally ordered notification log."""

    name = "Comptoir"
    # A snapshot every N events keeps long documents (an affair with thousands of time
    # entries) quick to load: the latest snapshot plus the events after it.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Quote: 50,
        Order: 50,
        Affair: 100,
        Contract: 50,
        Asset: 50,
        Customer: 50,
    }

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        on_recorded: Callable[[int], None] | None = None,
        policies: Policies | None = None,
    ) -> None:
        super().__init__(env)
        self.policies = policies or Policies()
        self.runner = CommandRunner(
            self,
            on_recorded or (lambda _position: None),
            trust_cache=strtobool(self.env.get("COMMANDS_TRUST_CACHE", "y")),
        )
        self.quotes = QuoteCommands(self.runner)
        self.access = AccessCommands(self.runner)
        # one line per aggregate's commands, below
        self.notices = NoticeCommands(self.runner)
        self.contracts = ContractCommands(self.runner)
        self.assets = AssetCommands(self.runner)
        self.customers = CustomerCommands(self.runner, self.policies.inactive_after_months)
        self.orders = OrderCommands(self.runner)
        self.affairs = AffairCommands(self.runner)
        self.invoices = InvoiceCommands(self.runner)
        # a credit note on an affair's time and materials invoice takes it off the affair
        self.invoices.issuer.credit_followers[SourceKind.AFFAIR] = self.affairs.follow_credit
        self.orders.follow_credits(self.invoices.issuer)
        self.company = CompanyCommands(self.runner, self.env.get("BLOB_DIR"))
        self.payments = PaymentCommands(self.runner)
        self.documents = DocumentCommands(self.runner, self.env.get("BLOB_DIR"))
        self.vouchers = VoucherCommands(self.runner)
        self.catalogue = CatalogueCommands(self.runner)

    def construct_transcoder(self) -> Transcoder:
        return domain_transcoder()

    def construct_repository(self) -> Repository[UUID]:
        # the library's cache is copied outside its lock; ours is not (see repository.py)
        base = super().construct_repository()
        repository = LockedCacheRepository(
            event_store=base.event_store,
            snapshot_store=base.snapshot_store,
            fastforward=base.fastforward,
            fastforward_skipping=base.fastforward_skipping,
            deepcopy_from_cache=base.deepcopy_from_cache,
        )
        repository.cache = base.cache
        return repository

    @cached_property
    def keyring(self) -> Keyring:
        """The writer's signing keys (`COMPTOIR_SIGNING_KEY`), never stored in the database."""
        text = self.env.get("SIGNING_KEYS")
        return Keyring.parse(text) if text else ephemeral_keyring()

    def construct_event_store(self) -> EventStore[UUID]:
        return SigningEventStore(self.mapper, self.recorder, self.keyring)

    def construct_snapshot_store(self) -> EventStore[UUID]:
        recorder = self.factory.aggregate_recorder(purpose="snapshots")
        return SigningSnapshotStore(self.mapper, recorder, self.keyring)

    @property
    def journal(self) -> CommandJournal:
        return self.runner.journal

    def history(self, aggregate_id: UUID) -> list[HistoryEntry]:
        """Every event of a document in version order, each with its journal entry."""
        entries = []
        for row in self.journal.history_of(aggregate_id):
            event: Any = self.mapper.to_domain_event(_stored(aggregate_id, row.version, row))
            entries.append(HistoryEntry(row.position, row.version, event, row.journal))
        return entries

    def log_position(self) -> int:
        """The position of the last event recorded, 0 when the log is empty."""
        return self.recorder.max_notification_id() or 0


def _stored(aggregate_id: UUID, version: int, row: Any) -> Any:
    from eventsourcing.persistence import StoredEvent

    return StoredEvent(aggregate_id, version, row.topic, row.state)
