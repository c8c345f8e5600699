"""The serving process's background parts working together."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from adapters.eventstore.chain import chain_store_for
from application.journal import CommandContext
from application.verification import verify
from interfaces.settings import Settings
from interfaces.wiring import Services


def test_the_server_seals_what_commands_record_without_being_asked(settings: Settings) -> None:
    services = Services.build(settings.model_copy(update={"sealer_poll_s": 0.05}))
    services.start()
    try:
        context = CommandContext(actor="alice", at=datetime(2026, 11, 2, tzinfo=UTC))
        drafted = services.app.quotes.draft(context, currency="EUR", prospect="Martin")
        store = chain_store_for(services.app)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            report = verify(services.app, store)
            if report.sealed >= (drafted.position or 0):
                break
            time.sleep(0.05)
        assert report.ok
        assert report.sealed == services.app.log_position()
        assert report.unsealed == 0
    finally:
        services.close()
