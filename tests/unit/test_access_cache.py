"""Authentication's cache: what the HTTP layer may answer without a lookup."""

from __future__ import annotations

from datetime import UTC, datetime

from application.access import Principal
from application.app import Comptoir
from application.journal import CommandContext

MEMORY = {"PERSISTENCE_MODULE": "adapters.eventstore.memory:JournalingMemoryFactory"}


def test_a_key_is_known_without_lookup_only_after_it_was_authenticated() -> None:
    app = Comptoir(MEMORY)
    ctx = CommandContext(actor="admin", at=datetime.now(UTC), reason="test")
    secret, issued = app.access.issue(ctx, user="ines", roles=["sales"], bootstrap=False)

    assert app.access.recently_authenticated(secret) == (False, None)
    principal = app.access.authenticate(secret)
    assert principal == Principal("ines", frozenset({"sales"}), issued.aggregate_id)
    assert app.access.recently_authenticated(secret) == (True, principal)

    unknown = "cpt_" + "0" * 40
    assert app.access.authenticate(unknown) is None
    assert app.access.recently_authenticated(unknown) == (True, None)


def test_revoking_a_key_forgets_what_was_cached() -> None:
    app = Comptoir(MEMORY)
    ctx = CommandContext(actor="admin", at=datetime.now(UTC), reason="test")
    secret, issued = app.access.issue(ctx, user="ines", roles=["sales"], bootstrap=False)
    assert app.access.authenticate(secret) is not None

    app.access.revoke(ctx, issued.aggregate_id)

    assert app.access.recently_authenticated(secret) == (False, None)
    assert app.access.authenticate(secret) is None
