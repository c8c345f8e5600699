"""The writer's signature: HMAC-SHA256 over what a command wrote, with a key kept off the database.

Someone with write access to the database alone must not be able to forge what
Comptoir serves or what decides access. Each command's journal row carries a MAC over
the journal's fields and the canonical content of every event the command stored (the
encoding of `application.sealing`); each snapshot carries a MAC over its content. The
secret lives with the command nodes (`COMPTOIR_SIGNING_KEY` or a key file), never in
the database, and each MAC names the id of the key that made it, so keys can rotate:
the first key of the ring signs, every key of the ring verifies.

    journal MAC = HMAC(key, "comptoir-command-v1" || field(journal JSON)
                            || field(content(e1)) || … || field(content(en)))
    snapshot MAC = HMAC(key, "comptoir-snapshot-v1" || content(snapshot))

The journal JSON is the list [command id, command, actor, reason, idempotency key,
fingerprint, issued at (UTC, ISO 8601 with microseconds), document id, version,
result (keys sorted), API key id], serialised by orjson.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

import orjson

from application.canonical import encode_content, field

if TYPE_CHECKING:
    from eventsourcing.persistence import StoredEvent

    from application.journal import JournalRecord

_COMMAND = b"comptoir-command-v1"
_SNAPSHOT = b"comptoir-snapshot-v1"
_KEY_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class SigningKeyInvalid(ValueError):
    """The configured signing key cannot be read."""


@dataclass(frozen=True)
class Keyring:
    """Signing keys by id; the first signs, all verify."""

    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise SigningKeyInvalid("a keyring needs at least one key")

    @property
    def current(self) -> str:
        """The id of the key that signs."""
        return self.keys[0][0]

    @classmethod
    def generate(cls, key_id: str = "k1") -> Keyring:
        return cls(((key_id, secrets.token_bytes(32)),))

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """Read `ID:BASE64URL[,ID:BASE64URL…]`: the first key signs."""
        keys = []
        for part in text.replace("\n", ",").split(","):
            part = part.strip()
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id or not set(key_id) <= _KEY_ID_CHARS or len(key_id) > 32:
                raise SigningKeyInvalid(
                    "a signing key is ID:SECRET, the id of up to 32 letters, digits, '-', "
                    "'_' or '.', the secret in URL-safe base64"
                )
            try:
                secret = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except (binascii.Error, ValueError):
                raise SigningKeyInvalid(f"signing key {key_id!r}: not base64") from None
            if len(secret) < 32:
                raise SigningKeyInvalid(f"signing key {key_id!r}: at least 32 bytes, please")
            keys.append((key_id, secret))
        if len({k for k, _ in keys}) != len(keys):
            raise SigningKeyInvalid("two signing keys share an id")
        return cls(tuple(keys))

    def text(self) -> str:
        return ",".join(
            f"{key_id}:{base64.urlsafe_b64encode(secret).decode().rstrip('=')}"
            for key_id, secret in self.keys
        )

    def _secret(self, key_id: str) -> bytes | None:
        return next((secret for k, secret in self.keys if k == key_id), None)

    def _mac(self, key_id: str, parts: Iterable[bytes]) -> bytes | None:
        secret = self._secret(key_id)
        if secret is None:
            return None
        mac = hmac.new(secret, digestmod=hashlib.sha256)
        for part in parts:
            mac.update(part)
        return mac.digest()

    def sign_command(
        self, journal: JournalRecord, events: Iterable[StoredEvent]
    ) -> tuple[str, bytes]:
        """(key id, MAC) of a command's journal row and the events it stores."""
        mac = self._mac(self.current, command_parts(journal, events))
        assert mac is not None
        return self.current, mac

    def command_is_authentic(self, journal: JournalRecord, events: Iterable[StoredEvent]) -> bool:
        """Whether the journal row's MAC covers exactly these fields and events."""
        if journal.key_id is None or journal.mac is None:
            return False
        expected = self._mac(journal.key_id, command_parts(journal, events))
        return expected is not None and hmac.compare_digest(expected, journal.mac)

    def sign_snapshot(self, event: StoredEvent) -> tuple[str, bytes]:
        mac = self._mac(self.current, snapshot_parts(event))
        assert mac is not None
        return self.current, mac

    def snapshot_is_authentic(self, event: StoredEvent, key_id: str, mac: bytes) -> bool:
        expected = self._mac(key_id, snapshot_parts(event))
        return expected is not None and hmac.compare_digest(expected, mac)


def journal_bytes(journal: JournalRecord) -> bytes:
    """The canonical bytes of a journal row's signed fields."""
    issued = journal.issued_at.astimezone(UTC).isoformat(timespec="microseconds")
    return orjson.dumps(
        [
            str(journal.command_id),
            journal.command,
            journal.actor,
            journal.reason,
            journal.idempotency_key,
            journal.fingerprint,
            issued,
            str(journal.aggregate_id),
            journal.version,
            journal.result,
            None if journal.api_key is None else str(journal.api_key),
        ],
        option=orjson.OPT_SORT_KEYS,
    )


def command_parts(journal: JournalRecord, events: Iterable[StoredEvent]) -> Iterable[bytes]:
    yield _COMMAND
    yield field(journal_bytes(journal))
    for e in events:
        yield field(encode_content(e.originator_id, e.originator_version, e.topic, e.state))


def snapshot_parts(event: StoredEvent) -> Iterable[bytes]:
    yield _SNAPSHOT
    yield encode_content(event.originator_id, event.originator_version, event.topic, event.state)


_EPHEMERAL: Keyring | None = None


def ephemeral_keyring() -> Keyring:
    """A key made for this process only: for tests and throwaway in-memory stores."""
    global _EPHEMERAL
    if _EPHEMERAL is None:
        _EPHEMERAL = Keyring.generate("ephemeral")
    return _EPHEMERAL
