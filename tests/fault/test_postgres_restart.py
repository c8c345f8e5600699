"""Postgres stopped and started again under load: 503s during the outage, nothing lost.

A throwaway Postgres (never the machine's shared one) serves a real HTTP server while
client threads add lines, each with its own Idempotency-Key and retrying on failure.
`pg_ctl stop -m fast` then `start` mid-load: every answer is a 201 or a 503 with
Retry-After (never a 500, never a hang), the service recovers by itself, every
acknowledged line is in the log exactly once and nothing refused was half-written.

While Postgres is down or hung the circuit breaker answers at once: 16 commands with one
key are all 503s within one pool wait (they were answered 10 s apart), a hung server
(SIGSTOP) gives 503s within its statement timeout, and the service recovers by itself.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from adapters.eventstore.breaker import CircuitBreaker
from adapters.eventstore.guarded import GuardedDatastore
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
        pg_pool_timeout_s=2,
        pg_statement_timeout_s=2,
        pg_breaker_retry_s=1,
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


def breaker_of(server: LiveServer) -> CircuitBreaker:
    datastore = server.services.app.factory.datastore  # type: ignore[attr-defined]
    assert isinstance(datastore, GuardedDatastore)
    return datastore.breaker


def one_wait(settings: Settings) -> float:
    """The longest a call may wait before the store counts as down: a hung statement
    (its timeout plus the socket margin) or no pooled connection, then the retry."""
    return max(settings.pg_statement_timeout_s + 0.5, settings.pg_pool_timeout_s) + 0.2


def test_sixteen_commands_with_one_key_during_an_outage_are_all_refused_within_one_wait(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    # a long retry period: no probe during the test, so every later call is refused
    settings = settings_on(postgres, tmp_path).model_copy(update={"pg_breaker_retry_s": 60})
    with LiveServer(settings) as server:
        with server.client(server.key("owner", "sales", "manager")) as http:
            quote = http.post("/quotes", json={"currency": "EUR", "prospect": "Outage"}).json()[
                "id"
            ]
        key = server.key("newcomer", "manager")  # never used: each request must look it up
        postgres.stop("fast")
        answers: list[tuple[int, str | None, str]] = []
        lock = threading.Lock()
        start = threading.Barrier(16)

        def command(n: int) -> None:
            with server.client(key, timeout=HANG_S * 2) as http:
                start.wait()
                answer = http.post(f"/quotes/{quote}/lines", json=line_body(f"o{n}"))
                with lock:
                    answers.append(
                        (answer.status_code, answer.headers.get("Retry-After"), answer.text)
                    )

        began = time.monotonic()
        threads = [threading.Thread(target=command, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=HANG_S * 3)
        batch = time.monotonic() - began
        assert len(answers) == 16
        for status, retry_after, text in answers:
            assert status == 503, text
            assert retry_after is not None
            assert int(retry_after) > 0
            assert "/problems/event-store-unavailable" in text
        # they were answered 10 s apart, one after another; now all within about one wait
        assert batch < 2 * one_wait(settings), f"16 answers took {batch:.1f}s"

        breaker = breaker_of(server)
        assert breaker.is_open
        pool: Any = server.services.app.factory.datastore.pool  # type: ignore[attr-defined]
        requests_before = pool.get_stats()["requests_num"]
        refused_before = breaker.refused
        with server.client(key) as http:
            for n in range(10):
                answer = http.post(f"/quotes/{quote}/lines", json=line_body(f"later{n}"))
                assert answer.status_code == 503
                assert answer.headers["Retry-After"]
        assert breaker.refused - refused_before >= 10, "a call went to the store while open"
        assert pool.get_stats()["requests_num"] == requests_before, "the pool was asked"
        postgres.start()


def cluster_pids(postgres: ThrowawayPostgres) -> list[int]:
    """The postmaster and every process it started (backends, checkpointer, ...)."""
    postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


def signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            continue


def test_a_hung_postgres_answers_503_within_the_statement_timeout_then_recovers(
    postgres: ThrowawayPostgres, tmp_path: Path
) -> None:
    settings = settings_on(postgres, tmp_path)
    with LiveServer(settings) as server:
        key = server.key("loader", "sales")
        with server.client(key, timeout=HANG_S * 2) as http:
            quote = http.post("/quotes", json={"currency": "EUR", "prospect": "Hang"}).json()["id"]
            assert http.post(f"/quotes/{quote}/lines", json=line_body("before")).status_code == 201
            pids = cluster_pids(postgres)
            signal_all(pids, signal.SIGSTOP)
            try:
                began = time.monotonic()
                answer = http.post(f"/quotes/{quote}/lines", json=line_body("hung"))
                first = time.monotonic() - began
                assert answer.status_code == 503, answer.text
                assert answer.json()["type"] == "/problems/event-store-unavailable"
                assert int(answer.headers["Retry-After"]) > 0
                assert first < one_wait(settings) + 1.5, f"the first 503 took {first:.1f}s"
                breaker = breaker_of(server)
                refused = breaker.refused
                for n in range(5):
                    answer = http.get(f"/quotes/{quote}")
                    assert answer.status_code == 503
                    assert (
                        http.post(f"/quotes/{quote}/lines", json=line_body(f"h{n}")).status_code
                        == 503
                    )
                assert breaker.refused > refused, "the open breaker never answered by itself"
            finally:
                signal_all(pids, signal.SIGCONT)
            deadline = time.monotonic() + 60
            while True:  # recovers by itself: the next probe finds the store again
                answer = http.post(
                    f"/quotes/{quote}/lines",
                    json=line_body("after"),
                    headers={"Idempotency-Key": "after-the-hang"},
                )
                if answer.status_code == 201 or time.monotonic() > deadline:
                    break
                assert answer.status_code == 503, answer.text
                time.sleep(0.2)
            assert answer.status_code == 201, answer.text
            lines = [line["description"] for line in http.get(f"/quotes/{quote}").json()["lines"]]
            assert "before" in lines
            assert "after" in lines
