"""Access: issue and revoke API keys, authenticate a presented key."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID

from adapters.eventstore.claims import SequenceClaim
from application.authenticity import document_forgery
from application.commands import CommandResult, CommandRunner, Outcome
from application.errors import Conflict
from application.journal import CommandContext
from domain.access import ApiKey, Role, key_id
from domain.errors import NotFound

log = logging.getLogger(__name__)

KEY_PREFIX = "cpt_"
BOOTSTRAP_SEQUENCE = "bootstrap-admin-key"
CACHE_SECONDS = 5.0
# Keys as issued: the prefix and `secrets.token_urlsafe(32)`, 43 URL-safe base64 characters.
KEY_SHAPE = re.compile(r"cpt_[A-Za-z0-9_-]{43}")
KEY_LENGTH = len(KEY_PREFIX) + 43
KNOWN_KEYS_CACHED = 1024
UNKNOWN_KEYS_CACHED = 256


def well_formed(secret: str) -> bool:
    """Whether `secret` has the shape of a key this server issues (nothing is looked up)."""
    return len(secret) == KEY_LENGTH and KEY_SHAPE.fullmatch(secret) is not None


class RecentAnswers:
    """What the last lookups of keys answered, for `CACHE_SECONDS`, at most `size` of them.

    Entries are keyed by the key's hash, so no secret stays in memory; the least
    recently used entry goes first when the cache is full.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, hashed: str) -> tuple[bool, Principal | None]:
        with self._lock:
            entry = self._entries.get(hashed)
            if entry is None:
                return False, None
            if time.monotonic() - entry[0] >= CACHE_SECONDS:
                del self._entries[hashed]
                return False, None
            self._entries.move_to_end(hashed)
            return True, entry[1]

    def put(self, hashed: str, looked_up_at: float, principal: Principal | None) -> None:
        with self._lock:
            self._entries[hashed] = (looked_up_at, principal)
            self._entries.move_to_end(hashed)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass(frozen=True)
class Principal:
    """An authenticated user and the roles their key grants."""

    user: str
    roles: frozenset[str]
    # The key's document id: a command is refused in its transaction once it is revoked.
    key: UUID | None = None

    def has_any(self, roles: frozenset[str]) -> bool:
        return bool(self.roles & roles)


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessCommands:
    """Use cases of API keys."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        # Unknown keys have a cache of their own: a flood of made-up keys cannot push
        # the real ones out.
        self.known = RecentAnswers(KNOWN_KEYS_CACHED)
        self.unknown = RecentAnswers(UNKNOWN_KEYS_CACHED)

    def issue(
        self, ctx: CommandContext, *, user: str, roles: list[str], bootstrap: bool = False
    ) -> tuple[str, CommandResult]:
        """A new key for `user`: the secret is returned here once and stored nowhere."""
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        hashed = key_hash(secret)

        def build() -> Outcome:
            key = ApiKey.issue(at=ctx.at, user=user, roles=roles, key_hash=hashed)
            claims = [SequenceClaim(BOOTSTRAP_SEQUENCE, 1)] if bootstrap else []
            return Outcome([key], {"user": user}, claims)

        payload = {"user": user, "roles": sorted(roles), "bootstrap": bootstrap}
        return secret, self.runner.run(ctx, "key.issue", payload, build)

    def revoke(self, ctx: CommandContext, key: UUID) -> CommandResult:
        def build() -> Outcome:
            api_key = self.runner.load(ApiKey, key, ctx)
            api_key.revoke(at=ctx.at)
            return Outcome([api_key])

        result = self.runner.run(ctx, "key.revoke", {"key_id": key}, build)
        self.known.clear()
        self.unknown.clear()
        return result

    def bootstrap_admin(self, ctx: CommandContext) -> str | None:
        """Issue the first admin key, once per event store; None when one exists."""
        recorder = self.runner.app.recorder
        if recorder.sequence_value(BOOTSTRAP_SEQUENCE) > 0:  # type: ignore[attr-defined]
            return None
        try:
            secret, _ = self.issue(ctx, user="admin", roles=[str(Role.ADMIN)], bootstrap=True)
        except Conflict:
            return None
        return secret

    def recently_authenticated(self, secret: str) -> tuple[bool, Principal | None]:
        """(True, the principal or None) when `secret` is malformed or was looked up in
        the last few seconds; (False, None) when `authenticate` must look it up (no I/O)."""
        if not well_formed(secret):
            return True, None
        hashed = key_hash(secret)
        known, principal = self.known.get(hashed)
        if known:
            return True, principal
        return self.unknown.get(hashed)

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of an active key, cached for a few seconds; a malformed key is
        refused before any lookup and never cached."""
        known, principal = self.recently_authenticated(secret)
        if known:
            return principal
        now = time.monotonic()
        principal = self._lookup(secret)
        (self.unknown if principal is None else self.known).put(key_hash(secret), now, principal)
        return principal

    def _lookup(self, secret: str) -> Principal | None:
        try:
            key = self.runner.load(ApiKey, key_id(key_hash(secret)))
        except NotFound:
            return None
        if not key.active:
            return None
        app = self.runner.app
        forged = document_forgery(app.recorder, app.keyring, key.id)  # type: ignore[attr-defined]
        if forged is not None:  # written to the database by someone other than Comptoir
            log.error("ALERT: API key %s refused: %s", key.id, forged)
            return None
        return Principal(key.user, frozenset(key.roles), key.id)
