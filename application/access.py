"""Access: issue and revoke API keys, authenticate a presented key."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from uuid import UUID

from adapters.eventstore.claims import SequenceClaim
from application.commands import CommandResult, CommandRunner, Outcome
from application.errors import Conflict
from application.journal import CommandContext
from domain.access import ApiKey, Role, key_id
from domain.errors import NotFound

KEY_PREFIX = "cpt_"
BOOTSTRAP_SEQUENCE = "bootstrap-admin-key"
CACHE_SECONDS = 5.0


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
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

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
        with self._lock:
            self._cache.clear()
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
        """(True, the principal or None) when `secret` was looked up in the last few
        seconds; (False, None) when `authenticate` must look it up (no I/O here)."""
        with self._lock:
            cached = self._cache.get(secret)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return True, cached[1]
        return False, None

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of an active key, cached for a few seconds."""
        known, principal = self.recently_authenticated(secret)
        if known:
            return principal
        now = time.monotonic()
        principal = self._lookup(secret)
        with self._lock:
            self._cache[secret] = (now, principal)
        return principal

    def _lookup(self, secret: str) -> Principal | None:
        if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
            return None
        try:
            key = self.runner.load(ApiKey, key_id(key_hash(secret)))
        except NotFound:
            return None
        if not key.active:
            return None
        return Principal(key.user, frozenset(key.roles), key.id)
