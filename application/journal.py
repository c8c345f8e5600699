"""The command journal: who issued each command, when, why, and what it produced.

A journal row is written by the event recorder in the same transaction as the
command's events, so a command is either recorded with its events or not at all.
An idempotency key is unique per actor: a retry finds that actor's first row, and
one user's key never answers another user's request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import orjson

# What a command reports, stored as JSON in its journal row and answered again on a replay:
# booleans, counts, ids, lists of ids, money as exact strings at the currency's minor unit
# (`application.results.money`), a map of names to such strings. Rows written before
# results were typed hold every value as a string; the HTTP answer models read both.
ResultValue = str | int | bool | None | Sequence[str] | Mapping[str, str]
Result = Mapping[str, ResultValue]


def fingerprint(command: str, payload: Any) -> str:
    """A stable hash of a command's name and its canonical request body."""
    body = orjson.dumps(
        {"command": command, "payload": payload},
        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS,
        default=str,
    )
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class CommandContext:
    """Who issues a command, when, why, and under which idempotency key."""

    actor: str
    at: datetime
    reason: str | None = None
    idempotency_key: str | None = None
    expected_version: int | None = None
    command_id: UUID | None = None  # a fresh id per command when not given
    # The API key the command was authenticated with: the command is refused in its
    # own transaction if that key was revoked before it.
    api_key: UUID | None = None
    # A salesperson (without a manager's role) acts only on documents assigned to them.
    owner_only: bool = False


@dataclass(frozen=True)
class JournalRecord:
    """What the recorder writes beside a command's events."""

    command_id: UUID
    command: str
    actor: str
    reason: str | None
    idempotency_key: str | None
    fingerprint: str
    issued_at: datetime
    aggregate_id: UUID
    version: int
    result: Result
    api_key: UUID | None = None
    # The writer's signature over this row and its events (`application.signing`).
    key_id: str | None = None
    mac: bytes | None = None


@dataclass(frozen=True)
class JournalEntry:
    """A journal row as read back, with the log positions the command produced."""

    record: JournalRecord
    first_position: int
    last_position: int


@dataclass(frozen=True)
class HistoryRow:
    """One stored event of a document with the command that produced it."""

    position: int
    version: int
    topic: str
    state: bytes
    journal: JournalEntry | None


class CommandJournal(Protocol):
    """Read access to the journal, implemented by every event recorder."""

    def journal_by_key(self, actor: str, idempotency_key: str) -> JournalEntry | None: ...

    def journal_between(self, first: int, last: int) -> list[JournalEntry]: ...

    def history_of(self, aggregate_id: UUID) -> list[HistoryRow]: ...


def row_to_entry(row: dict[str, Any]) -> JournalEntry:
    """Build an entry from a database row with the journal's column names."""
    result = row["result"]
    if isinstance(result, str | bytes):
        result = orjson.loads(result)
    record = JournalRecord(
        command_id=UUID(str(row["command_id"])),
        command=row["command"],
        actor=row["actor"],
        reason=row["reason"],
        idempotency_key=row["idempotency_key"],
        fingerprint=row["fingerprint"],
        issued_at=_as_datetime(row["issued_at"]),
        aggregate_id=UUID(str(row["aggregate_id"])),
        version=int(row["version"]),
        result=dict(result),
        api_key=None if row.get("api_key") is None else UUID(str(row["api_key"])),
        key_id=row.get("key_id"),
        mac=_as_bytes(row.get("mac")),
    )
    return JournalEntry(record, int(row["first_position"]), int(row["last_position"]))


def _as_bytes(value: bytes | memoryview | str | None) -> bytes | None:
    if value is None:
        return None
    return bytes.fromhex(value) if isinstance(value, str) else bytes(value)


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
