"""Errors of the application layer: concurrency and idempotency."""

from __future__ import annotations

from domain.errors import DomainError


class Conflict(DomainError):
    """The command lost a race or contradicts one already recorded."""

    code = "conflict"


class StaleVersion(Conflict):
    """The client's expected version is not the document's current version."""

    code = "stale-version"

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"expected version {expected} but the document is at {current}")
        self.expected = expected
        self.current = current


class ConcurrentUpdate(Conflict):
    """Another command changed the document between our read and our write."""

    code = "concurrent-update"

    def __init__(self, current: int) -> None:
        super().__init__(f"the document was changed concurrently; it is now at {current}")
        self.current = current


class NotAssigned(DomainError):
    """A salesperson acting on a document assigned to someone else."""

    code = "not-assigned"


class IdempotencyKeyReused(DomainError):
    """An idempotency key already used for a different request."""

    code = "idempotency-key-reused"


# What the store says, in its own words, when a command's key was revoked before it.
REVOKED_MARK = "api key revoked"


class KeyRevoked(DomainError):
    """The API key that authenticated the command was revoked before it was recorded."""

    code = "key-revoked"
