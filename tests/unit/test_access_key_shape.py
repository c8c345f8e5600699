"""Authentication refuses a malformed key before any lookup, and its cache stays bounded."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application import access
from application.access import AccessCommands, key_hash, well_formed
from application.app import Comptoir
from application.commands import CommandRunner
from application.journal import CommandContext

MEMORY = {"PERSISTENCE_MODULE": "adapters.eventstore.memory:JournalingMemoryFactory"}
CTX = CommandContext(actor="admin", at=datetime(2026, 11, 2, tzinfo=UTC), reason="test")
A = TypeVar("A", bound=Aggregate)


class CountingRunner(CommandRunner):
    """The real runner, counting the documents it loads from the store."""

    loads = 0

    def load(self, cls: type[A], aggregate_id: UUID, ctx: CommandContext | None = None) -> A:
        self.loads += 1
        return super().load(cls, aggregate_id, ctx)


def counting_access() -> tuple[AccessCommands, CountingRunner]:
    app = Comptoir(MEMORY)
    runner = CountingRunner(app, lambda _position: None)
    return AccessCommands(runner), runner


def made_up_key() -> str:
    return access.KEY_PREFIX + secrets.token_urlsafe(32)


def test_issued_keys_are_well_formed_and_others_are_not() -> None:
    app = Comptoir(MEMORY)
    secret, _ = app.access.issue(CTX, user="ines", roles=["sales"])
    assert well_formed(secret)
    assert well_formed(made_up_key())
    for malformed in (
        "",
        "cpt_",
        "cpt_short",
        secret[:-1],
        secret + "A",
        "xyz_" + secret[4:],
        secret[:-1] + "=",
        secret[:-1] + "é",
        "cpt_" + "A" * (1024 * 1024),
    ):
        assert not well_formed(malformed), malformed[:60]


def test_a_malformed_or_huge_key_is_refused_without_a_lookup_or_a_cache_entry() -> None:
    keys, runner = counting_access()
    for n in range(50):
        huge = "cpt_" + str(n) * (1024 * 1024)
        assert keys.recently_authenticated(huge) == (True, None)
        assert keys.authenticate(huge) is None
    assert runner.loads == 0
    assert (len(keys.known), len(keys.unknown)) == (0, 0)


def test_a_well_formed_unknown_key_is_looked_up_once_then_answered_from_the_cache() -> None:
    keys, runner = counting_access()
    unknown = made_up_key()
    assert keys.authenticate(unknown) is None
    assert keys.authenticate(unknown) is None
    assert keys.recently_authenticated(unknown) == (True, None)
    assert runner.loads == 1


def test_the_caches_never_hold_more_than_their_bound_and_real_keys_survive_a_flood() -> None:
    keys, runner = counting_access()
    secret, _ = keys.issue(CTX, user="ines", roles=["sales"])
    assert keys.authenticate(secret) is not None
    for _ in range(access.UNKNOWN_KEYS_CACHED * 4):
        assert keys.authenticate(made_up_key()) is None
        assert len(keys.unknown) <= access.UNKNOWN_KEYS_CACHED
    assert len(keys.unknown) == access.UNKNOWN_KEYS_CACHED
    loads = runner.loads
    known, principal = keys.recently_authenticated(secret)
    assert known
    assert principal is not None
    assert principal.user == "ines"
    assert runner.loads == loads


def test_the_cache_of_known_keys_evicts_the_least_recently_used() -> None:
    answers = access.RecentAnswers(3)
    principal = access.Principal("ines", frozenset({"sales"}))
    for n in range(3):
        answers.put(key_hash(str(n)), time.monotonic(), principal)
    answers.get(key_hash("0"))  # used again: "1" is now the oldest
    answers.put(key_hash("3"), time.monotonic(), principal)
    assert len(answers) == 3
    assert answers.get(key_hash("1")) == (False, None)
    assert answers.get(key_hash("0")) == (True, principal)
