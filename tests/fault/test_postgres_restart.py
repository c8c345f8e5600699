"""Postgres stopped and started again under load: 503s during the outage, nothing lost.

A throwaway Postgres (never the machine's shared one) serves a real HTTP server while
client threads add lines, each with its own Idempotency-Key and retrying on failure.
`pg_ctl stop -m fast` then `start` mid-load: every answer is a 201 or a 503 with
Retry-After (never a 500, never a hang), the service recovers by itself, every
acknowledged line is in the log exactly once and nothing refused was half-written.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from application.app import Comptoir
from interfaces.settings import Settings
from tests.conftest import service_missing
from tests.fault.throwaway import ThrowawayPostgres, Unavailable
from tests.load.harness import LiveServer, line_body

CLIENTS = 4
OUTAGE_S = 14.0  # longer than the recorder's own retries (~12 s), so 503s are seen
HANG_S = 30.0


@pytest.fixture
def postgres() -> Iterator[ThrowawayPostgres]:
    try:
        server = ThrowawayPostgres()
        server.start()
    except (Unavailable, RuntimeError) as error:
        service_missing("a throwaway PostgreSQL", error)
        raise
    try:
        yield server
    finally:
        server.destroy()


def settings_on(postgres: ThrowawayPostgres, tmp_path: Path) -> Settings:
    return Settings(
        event_store="postgres",
        pg_port=postgres.port,
        pg_dbname="postgres",
        pg_connect_timeout_s=1,
        pg_pool_size=4,
        sqlite_path=tmp_path / "unused.sqlite",
        duckdb_path=tmp_path / "views.duckdb",
        projector_poll_s=0.05,
        sealer_poll_s=0.2,
    )


def test_postgres_restarted_under_load_loses_nothing_and_recovers(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    settings = settings_on(postgres, tmp_path)
    answers: list[tuple[str, int, float, str | None, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []
    restarted_at: list[float] = []
    with LiveServer(settings) as server:
        key = server.key("loader", "sales")
        with server.client(key) as http:
            quotes = [
                UUID(
                    http.post("/quotes", json={"currency": "EUR", "prospect": "Outage"}).json()[
                        "id"
                    ]
                )
                for _ in range(CLIENTS)
            ]

        def client(n: int) -> None:
            try:
                with server.client(key, timeout=HANG_S * 2) as http:
                    i = 0
                    while not stop.is_set():
                        description = f"c{n}-{i}"
                        while True:  # the same key until it is acknowledged
                            began = time.monotonic()
                            try:
                                answer = http.post(
                                    f"/quotes/{quotes[n]}/lines",
                                    json=line_body(description),
                                    headers={"Idempotency-Key": description},
                                )
                            except httpx.TimeoutException:
                                with lock:
                                    answers.append((description, 0, HANG_S * 2, None, None))
                                continue
                            elapsed = time.monotonic() - began
                            body = answer.json()
                            with lock:
                                answers.append(
                                    (
                                        description,
                                        answer.status_code,
                                        elapsed,
                                        answer.headers.get("Retry-After"),
                                        body,
                                    )
                                )
                            if answer.status_code == 201:
                                break
                            time.sleep(0.2)
                        i += 1
            except BaseException as error:
                errors.append(error)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        postgres.stop("fast")
        stopped_at = time.monotonic()
        time.sleep(OUTAGE_S)
        postgres.start()
        restarted_at.append(time.monotonic())

        def acked_after_restart() -> int:
            with lock:
                return sum(1 for a in answers if a[1] == 201) - acked_before

        with lock:
            acked_before = sum(1 for a in answers if a[1] == 201)
        deadline = time.monotonic() + 45
        while acked_after_restart() < 3 * CLIENTS and time.monotonic() < deadline:
            time.sleep(0.2)
        recovered_in = time.monotonic() - restarted_at[0]
        stop.set()
        for thread in threads:
            thread.join(timeout=HANG_S * 3)
        assert errors == []
        statuses = Counter(a[1] for a in answers)
        print(statuses, f"recovered within {recovered_in:.1f}s of the restart")
        assert set(statuses) <= {201, 409, 503}, statuses  # never a 500, never a hang (0)
        assert statuses[503] > 0, "the outage was never seen"
        assert acked_after_restart() >= 3 * CLIENTS, "the service did not recover by itself"
        for description, status, elapsed, retry_after, body in answers:
            assert elapsed < HANG_S, f"{description} took {elapsed:.1f}s"
            if status == 503:
                assert retry_after is not None
                assert int(retry_after) > 0
                assert body["type"] == "/problems/event-store-unavailable"
        assert stopped_at < restarted_at[0]
        acked = {a[0]: a[4] for a in answers if a[1] == 201}
    fresh = Comptoir(settings.eventstore_env())
    try:
        for n, quote in enumerate(quotes):
            lines = Counter(line.description for line in fresh.quotes.get(quote).lines.values())
            mine = {d for d in acked if d.startswith(f"c{n}-")}
            assert set(lines) == mine, "a line was lost or half-written"
            assert all(count == 1 for count in lines.values()), "a line was doubled"
        for description, body in acked.items():
            entry = fresh.journal.journal_by_key("loader", description)
            assert entry is not None
            assert entry.last_position == body["position"]
    finally:
        fresh.close()


def test_commands_fail_fast_while_postgres_is_down(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    settings = settings_on(postgres, tmp_path)
    with LiveServer(settings) as server:
        key = server.key("loader", "sales")
        with server.client(key, timeout=HANG_S * 2) as http:
            quote = http.post("/quotes", json={"currency": "EUR", "prospect": "Outage"}).json()[
                "id"
            ]
            postgres.stop("fast")
            for i in range(2):
                began = time.monotonic()
                answer = http.post(f"/quotes/{quote}/lines", json=line_body(f"d{i}"))
                elapsed = time.monotonic() - began
                assert answer.status_code == 503
                assert elapsed < 5.0, f"the 503 took {elapsed:.1f}s"
            postgres.start()
