"""Tamper evidence: a SHA-256 hash chain over the whole event log, in notification order.

Every stored event is chained as it is stored: its notification id, document
(originator) id, version, topic and state bytes (after any compression or
encryption: what is on disk is what is sealed). An outside auditor can recompute
the chain from a plain dump of the events table with this encoding:

    u64(n)     = n as 8 bytes, unsigned big-endian
    field(b)   = u64(len(b)) || b
    content(e) = field(originator id) || u64(version) || field(topic) || field(state)
    record(e)  = u64(notification id) || content(e)
    link(e)    = SHA-256(link(previous event in the log) || record(e))
    digest(e)  = SHA-256(content(e))

The originator id is the UUID's 16 bytes in RFC 4122 order (a textual id: its UTF-8
bytes); the topic is UTF-8; the state is the stored bytes. The link before the first
event (genesis) is 32 zero bytes. The head is the link of the last sealed event: it
pins down the whole log up to that event, so keeping it outside the system
(`comptoir audit anchor`) lets a later `verify` prove nothing before it was rewritten.

The chain is written by a `Sealer` that follows the log after commands have
committed (batches of links, one transaction each, tracked by the chain's own last
notification id), so sealing never slows a command. The content digest kept per link
lets `verify` tell an event moved to another position from one that was changed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Notification

from application.authenticity import Forgery, first_forgery
from application.canonical import encode_content, u64
from application.signing import Keyring, ephemeral_keyring

log = logging.getLogger(__name__)

GENESIS = bytes(32)
SEAL_ATTEMPTS = 5


def encode_record(notification: Notification) -> bytes:
    """The canonical bytes of a stored event at its position in the log."""
    return u64(notification.id) + encode_content(
        notification.originator_id,
        notification.originator_version,
        notification.topic,
        notification.state,
    )


@dataclass(frozen=True)
class ChainLink:
    """The seal of one event: its content digest and the chain's link through it."""

    notification_id: int
    content_digest: bytes
    link: bytes

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.notification_id, self.link)


def seal_one(previous: bytes, notification: Notification) -> ChainLink:
    """The link of one event, chained after `previous`."""
    record = encode_record(notification)
    content = record[8:]  # the record less its notification id
    return ChainLink(
        notification.id,
        hashlib.sha256(content).digest(),
        hashlib.sha256(previous + record).digest(),
    )


def chain_links(previous: bytes, notifications: Sequence[Notification]) -> list[ChainLink]:
    """The links of consecutive events, the first chained after `previous`."""
    links = []
    for notification in notifications:
        link = seal_one(previous, notification)
        links.append(link)
        previous = link.link
    return links


@dataclass(frozen=True)
class Anchor:
    """A head kept outside the system: the link at one notification id."""

    notification_id: int
    link: bytes

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.link.hex()}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """Read `ID:HEX`, as `comptoir audit anchor` prints it."""
        position, _, digest = text.strip().partition(":")
        try:
            link = bytes.fromhex(digest)
        except ValueError:
            link = b""
        if not position.isdigit() or len(link) != 32:
            raise ValueError(f"not an anchor (ID:64 hex digits): {text!r}")
        return cls(int(position), link)


class ChainMoved(Exception):
    """Another sealer appended links first; read the head again."""


class ChainStore(ABC):
    """Where the links live: a table beside the events, in the same database."""

    @abstractmethod
    def head(self) -> ChainLink | None:
        """The link of the last sealed event, None before the first seal."""

    @abstractmethod
    def append(self, links: Sequence[ChainLink]) -> None:
        """Store a batch in one transaction; `ChainMoved` if any id is already sealed."""

    @abstractmethod
    def links(self, after: int, limit: int, stop: int | None = None) -> Sequence[ChainLink]:
        """Links with after < notification id (<= stop), in order, at most `limit`."""

    @abstractmethod
    def sealed_at(self, content_digest: bytes) -> int | None:
        """The notification id sealed with this content digest, if any."""


class Sealer:
    """Reads the log after the chain's head in pages and appends one batch per page."""

    def __init__(
        self,
        app: Application[Any],
        store: ChainStore,
        *,
        page_size: int = 1000,
        on_blocked: Callable[[Forgery], None] | None = None,
    ):
        self.recorder: ApplicationRecorder = app.recorder
        self.keyring: Keyring = getattr(app, "keyring", None) or ephemeral_keyring()
        self.store = store
        self.page_size = page_size
        # The event the sealer refuses to chain (its journal row is missing or its MAC
        # fails): sealing stops before it until someone removes or explains it.
        self.blocked: Forgery | None = None
        # Told once per refused event (e.g. to raise a notice for admins); told again
        # later if it failed.
        self.on_blocked = on_blocked
        self._alerted: Forgery | None = None

    def seal_batch(self) -> int:
        """Seal the next page of the log; return how many events it held."""
        for _attempt in range(SEAL_ATTEMPTS):
            head = self.store.head()
            after, previous = (0, GENESIS) if head is None else (head.notification_id, head.link)
            notifications = self.recorder.select_notifications(
                start=after, limit=self.page_size, inclusive_of_start=False
            )
            if not notifications:
                return 0
            notifications = self._authentic_prefix(notifications)
            if not notifications:
                return 0
            links = chain_links(previous, notifications)
            try:
                self.store.append(links)
            except ChainMoved:
                continue
            return len(links)
        raise ChainMoved(f"another sealer kept appending ({SEAL_ATTEMPTS} attempts)")

    def _authentic_prefix(self, notifications: Sequence[Notification]) -> Sequence[Notification]:
        """The events before the first one Comptoir did not write; alert on that one."""
        forgery = first_forgery(self.recorder, self.keyring, notifications)
        if forgery is None:
            self.blocked = None
            return notifications
        if forgery != self.blocked:
            log.error("ALERT: the sealer refuses to seal: %s", forgery)
        self.blocked = forgery
        if self.on_blocked is not None and forgery != self._alerted:
            try:
                self.on_blocked(forgery)
                self._alerted = forgery
            except Exception:  # the alert is raised again on the next page read
                log.exception("could not raise the sealer's alert; retrying")
        return [n for n in notifications if n.id < forgery.notification_id]

    def seal(self) -> int:
        """Seal up to the end of the log; return how many events were sealed."""
        total = 0
        while count := self.seal_batch():
            total += count
        return total


class ChainFollower:
    """Keeps the chain sealed up to the log's end from a background thread.

    Build it with a `Sealer` on the process's application, `start()` it beside the
    projector and `stop()` it on shutdown; `wake` may be passed the positions that
    commands record. Commands never wait for it: it reads committed events only.
    """

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def wake(self, _position: int | None = None) -> None:
        """Tell the following thread that new events were recorded."""
        self._wake.set()

    def start(self, poll_s: float = 1.0) -> None:
        """Seal what is there, then follow the log, in a background thread."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._follow, args=(poll_s,), name="chain-follower", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _follow(self, poll_s: float) -> None:
        while not self._stop.is_set():
            try:
                if self.sealer.seal_batch():
                    continue
            except Exception as error:  # keep following: a broken store comes back
                self.error = error
                log.exception("sealing batch failed; retrying")
                self._stop.wait(1.0)
                continue
            self._wake.wait(poll_s)
            self._wake.clear()
