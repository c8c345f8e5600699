"""API keys: who may act, in which roles. Keys are events too, so access is audited."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput, InvalidTransition


class Role(StrEnum):
    """What a user may do."""

    SALES = "sales"
    MANAGER = "manager"
    ACCOUNTANT = "accountant"
    AUDITOR = "auditor"
    ADMIN = "admin"


RESERVED_USERS = frozenset({"system", "scheduler", "bulk-import"})
"""Actors the software records as itself (the CLI, scheduled jobs, bulk imports): no key
may act as one, so the journal never shows a person's command under their name."""


def key_id(key_hash: str) -> UUID:
    """Keys are found by the hash of their secret, without an index."""
    return uuid5(NAMESPACE_URL, f"comptoir:api-key:{key_hash}")


class ApiKey(Aggregate):
    """A key issued to a user with roles; identified by the hash of its secret."""

    @staticmethod
    def create_id(key_hash: str) -> UUID:
        return key_id(key_hash)

    @event("Issued")
    def __init__(self, *, at: datetime, user: str, roles: list[str], key_hash: str) -> None:
        self.issued_at = at
        self.user = user
        self.roles = roles
        self.key_hash = key_hash
        self.revoked_at: datetime | None = None

    @classmethod
    def issue(cls, *, at: datetime, user: str, roles: list[str], key_hash: str) -> ApiKey:
        """Issue a key; the secret itself never enters the log, only its hash."""
        user = user.strip()
        if not user:
            raise InvalidInput("a key must name its user")
        if user.casefold() in RESERVED_USERS:
            raise InvalidInput(
                f"{user!r} is reserved for the software's own records "
                f"({', '.join(sorted(RESERVED_USERS))}); issue the key to a person"
            )
        if not roles:
            raise InvalidInput("a key needs at least one role")
        unknown = sorted(set(roles) - set(Role))
        if unknown:
            raise InvalidInput(f"unknown roles {unknown}; known: {[str(r) for r in Role]}")
        return cls(at=at, user=user, roles=sorted(set(roles)), key_hash=key_hash)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, *, at: datetime) -> None:
        """Revoke the key; requests made with it are refused from then on."""
        if not self.active:
            raise InvalidTransition("key", "revoked", "revoked")
        self._revoke(at=at)

    @event("Revoked")
    def _revoke(self, at: datetime) -> None:
        self.revoked_at = at
