"""The reference topology, on one machine: every node a process with its own data.

A throwaway Postgres primary and a hot standby made from it with `pg_basebackup`, the
machine's Redis (a queue namespace of the test's own), two command nodes (one with two
uvicorn workers), two query nodes (one following the primary, one the standby, by
polling), and a dramatiq worker. Clients send their commands round-robin to the
command nodes, each with `If-Match` the version it last saw, read the document back
from the other command node (never stale), and read their own writes from a query node
with `min_position`. A query node is killed with SIGKILL mid-run and restarted: it
catches up, and at the end both query nodes hold exactly what was written.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from application.app import Comptoir
from application.journal import CommandContext
from application.signing import Keyring
from interfaces.settings import Settings
from tests.conftest import service_missing
from tests.fault.throwaway import ThrowawayPostgres, Unavailable
from tests.fault.topology_support import (
    Node,
    ThrowawayStandby,
    check_sealed_once,
    check_worker,
    clean_environment,
    flush_namespace,
    log_end,
)
from tests.load.harness import NOW, line_body

CLIENTS = 4
ROUNDS = 8  # commands per client at least, alternating between the command nodes
MAX_ROUNDS = 80  # ... and on until the restarted query node has answered reads
RACES = 4  # two clients, two nodes, one expected version: one 201, one 409


@pytest.fixture
def databases() -> Iterator[tuple[ThrowawayPostgres, ThrowawayStandby]]:
    try:
        primary = ThrowawayPostgres()
        primary.start()
    except (Unavailable, RuntimeError) as error:
        service_missing("a throwaway PostgreSQL", error)
        raise
    standby: ThrowawayStandby | None = None
    try:
        standby = ThrowawayStandby(primary)
        standby.start()
        assert standby.in_recovery(), "the replica is not a hot standby"
        yield primary, standby
    finally:
        if standby is not None:
            standby.destroy()
        primary.destroy()


def test_two_command_nodes_two_query_nodes_and_a_worker_lose_nothing(
    databases: tuple[ThrowawayPostgres, ThrowawayStandby], redis_url: str, tmp_path: Path
) -> None:
    primary, standby = databases
    namespace = f"comptoir-topology-{uuid.uuid4().hex[:12]}"
    env = clean_environment(
        event_store="postgres",
        pg_host="127.0.0.1",
        pg_port=str(primary.port),
        pg_dbname="postgres",
        pg_pool_size="4",
        pg_pool_timeout_s="10",
        pg_statement_timeout_s="30",
        signing_key=Keyring.generate().text(),
        redis_url=redis_url,
        redis_namespace=namespace,
        projector_poll_s="0.1",
        view_wait_timeout_s="30",
    )
    settings = Settings.model_validate(
        {k[9:].lower(): v for k, v in env.items() if k.startswith("COMPTOIR_")}
    )
    with Comptoir(settings.eventstore_env()) as app:  # makes the tables, issues the key
        key, _ = app.access.issue(CommandContext(actor="test", at=NOW), user="c", roles=["sales"])
    replica = {"COMPTOIR_PG_READ_HOST": "127.0.0.1", "COMPTOIR_PG_READ_PORT": str(standby.port)}
    a = Node("command-a", tmp_path, env, "serve", "--role", "command", "--workers", "2")
    b = Node("command-b", tmp_path, env, "serve", "--role", "command")
    q1 = Node("query-primary", tmp_path, env, "serve", "--role", "query")
    q2 = Node("query-standby", tmp_path, env | replica, "serve", "--role", "query")
    worker = Node("worker", tmp_path, env, "worker", "--threads", "2")
    nodes = [a, b, q1, q2, worker]
    try:
        for node in nodes:
            node.start()
        for node in (a, b, q1, q2):
            node.wait_ready()
        run_topology(key, a, b, q1, q2, worker, settings, tmp_path)
    finally:
        for node in nodes:
            node.stop()
        flush_namespace(redis_url, namespace)


def run_topology(
    key: str,
    a: Node,
    b: Node,
    q1: Node,
    q2: Node,
    worker: Node,
    settings: Settings,
    tmp_path: Path,
) -> None:
    commands, queries = [a, b], [q1, q2]
    written: dict[str, dict[str, int]] = {}  # quote -> version and line count acknowledged
    lock = threading.Lock()
    errors: list[BaseException] = []
    q2_down, q2_back = threading.Event(), threading.Event()
    reads = {q1.name: 0, q2.name: 0, "restarted": 0}
    acked = [0]

    def read_own_write(n: int, quote: str, version: int, lines: int, position: int) -> None:
        targets = queries[n % 2 :] + queries[: n % 2]
        for node in targets:
            if node is q2 and q2_down.is_set():
                continue
            try:
                with node.client(key) as http:
                    page = http.get("/views/quotes", params={"min_position": position})
            except httpx.TransportError:
                continue  # that node is being killed: read from the other one
            assert page.status_code == 200, page.text
            row = next(r for r in page.json()["items"] if r["quote_id"] == quote)
            assert (row["version"], row["line_count"]) == (version, lines), (node.name, row)
            with lock:
                reads[node.name] += 1
                reads["restarted"] += node is q2 and q2_back.is_set()
            return
        raise AssertionError(f"no query node answered for {quote} at {position}")

    def client(n: int) -> None:
        try:
            with a.client(key) as http:
                made = http.post("/quotes", json={"currency": "EUR", "prospect": f"Topo {n}"})
            assert made.status_code == 201, made.text
            quote, version, lines = made.json()["id"], made.json()["version"], 0
            i = 0
            while i < ROUNDS or (reads["restarted"] < CLIENTS and i < MAX_ROUNDS):
                node, other = commands[i % 2], commands[(i + 1) % 2]
                with node.client(key) as http:
                    added = http.post(
                        f"/quotes/{quote}/lines",
                        json=line_body(f"c{n}-{i}"),
                        headers={"If-Match": f'"{version}"', "Idempotency-Key": f"c{n}-{i}"},
                    )
                assert added.status_code == 201, (node.name, added.text)  # no false 409
                version, lines = added.json()["version"], lines + 1
                with other.client(key) as http:  # the other node's cache is not stale
                    seen = http.get(f"/quotes/{quote}").json()
                assert (seen["version"], len(seen["lines"])) == (version, lines), other.name
                with lock:
                    acked[0] += 1
                read_own_write(n + i, quote, version, lines, added.json()["position"])
                i += 1
            with lock:
                written[quote] = {"version": version, "line_count": lines}
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while acked[0] < CLIENTS * 3 and time.monotonic() < deadline and not errors:
        time.sleep(0.05)
    q2_down.set()
    q2.kill()  # mid-run, no clean shutdown: its DuckDB file is as the kill left it
    killed_at = acked[0]
    q2.start()
    q2.wait_ready()
    q2_back.set()
    q2_down.clear()
    for thread in threads:
        thread.join(timeout=240)
    assert errors == [], errors
    written |= race(key, a, b)
    check_query_nodes(key, queries, written, settings)
    check_worker(settings, tmp_path, len(written))
    check_sealed_once(settings)
    assert reads[q1.name] > 0, reads
    assert reads["restarted"] >= CLIENTS, reads  # it answered reads after its restart
    assert CLIENTS * 3 <= killed_at < acked[0], "the query node was not killed mid-run"
    print(f"commands {acked[0]} (query node killed after {killed_at}), reads {reads}")
    with a.client(key) as http:
        assert http.get("/views/quotes").json()["type"] == "/problems/views-not-served"
    with q2.client(key) as http:
        refused = http.post("/quotes", json={"currency": "EUR", "prospect": "No"})
        assert refused.json()["type"] == "/problems/commands-not-served"


def race(key: str, a: Node, b: Node) -> dict[str, dict[str, int]]:
    """Two clients add a line to one quote at once through the two nodes, both stating
    the version they read: one is recorded, the other is a 409, every time."""
    with a.client(key) as http:
        made = http.post("/quotes", json={"currency": "EUR", "prospect": "Race"}).json()
    quote, version = made["id"], made["version"]
    for r in range(RACES):
        start = threading.Barrier(2)
        answers: list[httpx.Response] = []

        def send(
            node: Node,
            tag: str,
            start: threading.Barrier = start,
            answers: list[httpx.Response] = answers,
            expected: int = version,
        ) -> None:
            with node.client(key) as http:
                start.wait()
                answers.append(
                    http.post(
                        f"/quotes/{quote}/lines",
                        json=line_body(tag),
                        headers={"If-Match": f'"{expected}"'},
                    )
                )

        pair = [threading.Thread(target=send, args=(n, f"race-{r}-{n.name}")) for n in (a, b)]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join(timeout=60)
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [201, 409], [answer.text for answer in answers]
        loser = next(answer for answer in answers if answer.status_code == 409)
        assert loser.json()["type"] in {"/problems/stale-version", "/problems/concurrent-update"}
        version = next(answer for answer in answers if answer.status_code == 201).json()["version"]
    return {quote: {"version": version, "line_count": RACES}}


def check_query_nodes(
    key: str, queries: list[Node], written: dict[str, dict[str, int]], settings: Settings
) -> None:
    """Both query nodes, the killed one included, hold exactly what was acknowledged."""
    end = log_end(settings)
    pages = []
    for node in queries:
        with node.client(key) as http:
            answer = http.get("/views/quotes", params={"min_position": end, "limit": 1000})
        assert answer.status_code == 200, (node.name, answer.text)
        items = answer.json()["items"]
        held = {r["quote_id"]: {k: r[k] for k in ("version", "line_count")} for r in items}
        assert held == written, node.name
        pages.append(sorted(items, key=lambda r: str(r["quote_id"])))
        health = node.health(key)
        assert health["role"] == "query", health
        assert health["view_position"] >= end, health
    assert pages[0] == pages[1], "the two query nodes differ"
