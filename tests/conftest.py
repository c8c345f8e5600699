"""Shared fixtures: settings for each event store, and real services.

Postgres tests run in a schema of their own, dropped afterwards. When the
services are missing they fail if COMPTOIR_REQUIRE_SERVICES=1 (as in
scripts/test and CI) and skip otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from interfaces.settings import Settings

if TYPE_CHECKING:
    from application.app import Comptoir

STORES = ["sqlite", "postgres"]


def pg_dsn() -> dict[str, str]:
    return {
        "host": os.environ.get("COMPTOIR_PG_HOST", "127.0.0.1"),
        "port": os.environ.get("COMPTOIR_PG_PORT", "5432"),
        "user": os.environ.get("COMPTOIR_PG_USER", "postgres"),
        "password": os.environ.get("COMPTOIR_PG_PASSWORD", ""),
        "dbname": os.environ.get("COMPTOIR_PG_DBNAME", "test"),
    }


def service_missing(what: str, error: Exception) -> None:
    message = f"{what} is not reachable: {error}"
    if os.environ.get("COMPTOIR_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A reachable Redis; the test's keys are flushed afterwards."""
    import redis

    url = os.environ.get("COMPTOIR_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        service_missing("Redis", error)
    yield url
    client.close()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh Postgres schema, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    try:
        conn = psycopg.connect(**pg_dsn(), autocommit=True, connect_timeout=5)  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        service_missing("PostgreSQL", error)
        raise
    with conn:
        conn.execute(f"CREATE SCHEMA {name}")
        try:
            yield name
        finally:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def store_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The `COMPTOIR_*` variables that point a `comptoir` command at `settings`' store."""
    return {
        "COMPTOIR_EVENT_STORE": settings.event_store,
        "COMPTOIR_SQLITE_PATH": str(settings.sqlite_path),
        "COMPTOIR_PG_HOST": settings.pg_host,
        "COMPTOIR_PG_PORT": str(settings.pg_port),
        "COMPTOIR_PG_USER": settings.pg_user,
        "COMPTOIR_PG_PASSWORD": settings.pg_password,
        "COMPTOIR_PG_DBNAME": settings.pg_dbname,
        "COMPTOIR_PG_SCHEMA": settings.pg_schema,
        "COMPTOIR_SIGNING_KEY_FILE": str(settings.signing_key_file),
        **extra,
    }


def settings_for(store: str, tmp_path: Path, schema: str | None = None) -> Settings:
    dsn = pg_dsn()
    return Settings(
        event_store=store,  # type: ignore[arg-type]
        sqlite_path=tmp_path / "events.sqlite",
        duckdb_path=tmp_path / "views.duckdb",
        worker_duckdb_path=tmp_path / "worker-views.duckdb",
        signing_key_file=tmp_path / "signing.key",
        pg_host=dsn["host"],
        pg_port=int(dsn["port"]),
        pg_user=dsn["user"],
        pg_password=dsn["password"],
        pg_dbname=dsn["dbname"],
        pg_schema=schema or "public",
        pg_pool_size=4,
        # A loaded test machine can be slow without Postgres being down (a new pool's
        # first connection once took over 10 s while the topology test ran beside it):
        # the fast-failure budgets are tested with their production values in
        # tests/fault, not everywhere.
        pg_pool_timeout_s=30,
        pg_statement_timeout_s=30,
        projector_poll_s=0.05,
    )


@pytest.fixture(params=STORES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for each durable event store in turn."""
    store: str = request.param
    schema = request.getfixturevalue("pg_schema") if store == "postgres" else None
    return settings_for(store, tmp_path, schema)


@pytest.fixture
def memory_settings(tmp_path: Path) -> Settings:
    return settings_for("memory", tmp_path)


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))


def generated_company(tmp_path: Path, schema: str, seed: int, events: int) -> Comptoir:
    """An application on a Postgres schema holding the first `events` events of the seeded
    generated company (the benchmark's generator), bulk-imported."""
    from adapters.bulk.generator import DatasetGenerator
    from adapters.bulk.importer import import_events
    from application.app import Comptoir

    app = Comptoir(settings_for("postgres", tmp_path, schema).eventstore_env())
    generator = DatasetGenerator(seed=seed, mapper=app.mapper)
    import_events(
        app, list(generator.events(events)), batch_size=1000, sequences=generator.sequences
    )
    return app


def record_quotes(app: Comptoir, count: int) -> None:
    """Each quote is two events: drafted, then a line added."""
    from decimal import Decimal

    from application.journal import CommandContext

    ctx = CommandContext(
        actor="alice", at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), reason="trade fair"
    )
    for n in range(count):
        drafted = app.quotes.draft(ctx, currency="EUR", prospect=f"Prospect {n}")
        app.quotes.add_line(
            ctx,
            drafted.aggregate_id,
            description="Cash register",
            quantity=Decimal(3),
            unit_price=Decimal("19.99"),
            vat_rate=Decimal(20),
        )
