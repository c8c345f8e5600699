"""Redis stopped and flushed: commands still succeed, background work resumes, once.

A throwaway `redis-server` (never the shared one) carries a real dramatiq worker with
Comptoir's actors. While it is down, commands succeed (wake-ups are dropped); when it
returns, empty, the scheduled jobs sent again (and sent twice, and flushed with
FLUSHALL in between) expire each quote once and bill each contract period once, and a
catch-up message brings the worker's replica to the log end.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker

from application.journal import CommandContext
from interfaces.settings import Settings
from interfaces.wiring import Services
from interfaces.worker import Actors, WorkerState, declare_actors
from tests.conftest import service_missing, settings_for
from tests.fault.throwaway import ThrowawayRedis, Unavailable
from tests.fault.workload import sign_contract
from tests.integration.company_support import establish_company
from tests.integration.test_worker import event_types, sent_quote, wait_until

LATER = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MUCH_LATER = datetime(2027, 1, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def redis_server() -> Iterator[ThrowawayRedis]:
    try:
        server = ThrowawayRedis()
        server.start()
    except (Unavailable, OSError) as error:
        service_missing("a throwaway redis-server", error)
        raise
    try:
        yield server
    finally:
        server.destroy()


def test_redis_down_then_back_empty_loses_no_work_and_does_none_twice(
    pg_schema: str, tmp_path: Path, redis_server: ThrowawayRedis
) -> None:
    settings: Settings = settings_for("postgres", tmp_path, pg_schema).model_copy(
        update={
            "redis_url": redis_server.url,
            "redis_namespace": f"comptoir-fault-{uuid.uuid4().hex[:8]}",
            "worker_duckdb_path": tmp_path / "worker.duckdb",
        }
    )
    services = Services.build(settings)
    services.start()
    state = WorkerState(settings)
    broker = RedisBroker(url=settings.redis_url, namespace=settings.redis_namespace)  # type: ignore[no-untyped-call]
    actors: Actors = declare_actors(broker, state)
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    app = services.app
    try:
        establish_company(app)  # billing a period issues its invoice: the seller must be known
        ctx = CommandContext(actor="alice", at=datetime(2026, 10, 1, 9, tzinfo=UTC))
        first_quote = sent_quote(app, date(2026, 11, 10))
        customer = app.customers.register(ctx, name="Martin").aggregate_id
        first_contract = sign_contract(app, customer, "Maintenance")
        actors.run_scheduled_jobs.send(LATER.isoformat())
        wait_until(lambda: "Quote.Expired" in event_types(app, first_quote))
        wait_until(lambda: event_types(app, first_contract).count("Contract.PeriodBilled") == 2)

        redis_server.stop()
        assert services.waker is not None
        failures = services.waker.failures
        # commands succeed while Redis is down; their wake-ups are dropped
        second_quote = sent_quote(app, date(2026, 12, 10))
        second_contract = sign_contract(app, customer, "Hosting")
        wait_until(lambda: services.waker is not None and services.waker.failures > failures)
        with pytest.raises(Exception):  # noqa: B017, PT011 - a cron enqueue fails visibly
            actors.run_scheduled_jobs.send(MUCH_LATER.isoformat())

        redis_server.start()  # back, and empty: nothing was persisted
        for _ in range(2):  # sent twice, as at-least-once delivery may
            actors.run_scheduled_jobs.send(MUCH_LATER.isoformat())
        redis_server.client().flushall()  # ... and lost again
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the worker's consumer reconnects by itself
            for _ in range(2):
                actors.run_scheduled_jobs.send(MUCH_LATER.isoformat())
            try:
                wait_until(lambda: "Quote.Expired" in event_types(app, second_quote), 5)
                break
            except AssertionError:
                continue
        wait_until(lambda: event_types(app, second_contract).count("Contract.PeriodBilled") == 4)
        actors.catch_up.send()
        broker.join("comptoir", timeout=60_000)
        # nothing twice: each quote expired once, each monthly period billed once
        assert event_types(app, first_quote).count("Quote.Expired") == 1
        assert event_types(app, second_quote).count("Quote.Expired") == 1
        for contract in (first_contract, second_contract):
            billed = [
                h.event.period_index  # type: ignore[attr-defined]
                for h in app.history(contract)
                if h.type == "Contract.PeriodBilled"
            ]
            # monthly from 1 October, as of 20 January: October to January, each once
            assert sorted(billed) == [0, 1, 2, 3]
        end = app.log_position()
        with state as (_, replica):
            assert replica.position == end
    finally:
        worker.stop()
        broker.close()
        state.close()
        services.close()
