"""Gapless sequences claimed in the same transaction as the events that use them.

An invoice number must be sequential per year with no gaps and assigned atomically
with the invoice event. The application reads the sequence's current value, builds
the event with value + 1 and asks the recorder to claim it; the claim succeeds only
if nobody claimed that value first, otherwise the whole transaction rolls back and
the application retries with the next value.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.persistence import IntegrityError


@dataclass(frozen=True)
class SequenceClaim:
    """Claim `value` of the sequence `name`; valid only if the current value is value − 1."""

    name: str
    value: int


class SequenceClaimRefused(IntegrityError):
    """Someone else claimed that value first."""

    def __init__(self, claim: SequenceClaim) -> None:
        super().__init__(f"sequence {claim.name!r} value {claim.value} was already taken")
        self.claim = claim
