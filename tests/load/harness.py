"""Load drivers shared by the load tests and `scripts/soak`: a real HTTP server in a
thread, the concurrency storm and the idempotent-retry storm, each returning figures
and every discrepancy it found (an empty `problems` list means nothing was lost,
doubled or half-written).
"""

from __future__ import annotations

import queue
import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import httpx
import psycopg
import uvicorn
from fastapi import FastAPI

from application.app import Comptoir
from application.journal import CommandContext
from interfaces.http.app import create_app
from interfaces.http.routes.quote_schemas import QuoteView
from interfaces.settings import Settings
from interfaces.wiring import Services

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
CONFLICT_TYPES = {"/problems/stale-version", "/problems/concurrent-update"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fixed_clock() -> datetime:
    return NOW


class LiveServer:
    """`create_app(settings)` served by uvicorn on a free 127.0.0.1 port, in a thread."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime] = fixed_clock) -> None:
        self.settings = settings
        self.app: FastAPI = create_app(settings, clock)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_keep_alive=30,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    def key(self, user: str, *roles: str) -> str:
        secret, _ = self.services.app.access.issue(
            CommandContext(actor="test", at=NOW), user=user, roles=list(roles)
        )
        return str(secret)

    def client(self, key: str, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key}, timeout=timeout)


def line_body(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "quantity": "2",
        "unit_price": "19.99",
        "vat_rate": "20",
        "discount": {"kind": "percent", "value": "10"},
    }


def count_events(settings: Settings) -> tuple[int, int]:
    """(count, max notification id) of the events table, straight from Postgres."""
    with psycopg.connect(
        host=settings.pg_host,
        port=settings.pg_port,
        user=settings.pg_user,
        password=settings.pg_password or None,
        dbname=settings.pg_dbname,
        autocommit=True,
    ) as conn:
        row = conn.execute(
            f'SELECT count(*), coalesce(max(notification_id), 0) FROM "{settings.pg_schema}"'
            ".comptoir_events"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


# ------------------------------------------------------------------------ storm


@dataclass
class StormReport:
    """What a storm did and every discrepancy found afterwards."""

    requests: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    with_if_match: int = 0
    events_checked: int = 0
    rows_compared: int = 0
    lost: int = 0
    doubled: int = 0
    other_statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ack:
    quote: UUID
    description: str
    version: int
    position: int


def storm(
    server: LiveServer,
    *,
    documents: int = 3,
    clients: int = 12,
    requests_each: int = 30,
    seed: int = 7,
) -> StormReport:
    """Clients add lines to the same few quotes at once, half of them with `If-Match`.

    Checks afterwards: only 2xx and 409 answers; every acknowledged line is in the
    log exactly once (history positions, journal rows, the quote's lines) and no
    refused one is; the quote served equals a fresh replay of the log by another
    application; the DuckDB views equal a rebuild row for row.
    """
    report = StormReport()
    key = server.key("storm", "sales")
    with server.client(key) as http:
        quotes = []
        for n in range(documents):
            made = http.post("/quotes", json={"currency": "EUR", "prospect": f"Storm {n}"})
            made.raise_for_status()
            quotes.append(UUID(made.json()["id"]))
    acks: list[Ack] = []
    refused: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(clients)

    def client_loop(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        known: dict[UUID, int] = {}
        try:
            with server.client(key) as http:
                start.wait()
                for i in range(requests_each):
                    quote = rng.choice(quotes)
                    description = f"c{number}-r{i}"
                    headers = {}
                    if rng.random() < 0.5:
                        if quote not in known:
                            known[quote] = int(http.get(f"/quotes/{quote}").json()["version"])
                        headers["If-Match"] = f'"{known[quote]}"'
                    answer = http.post(
                        f"/quotes/{quote}/lines", json=line_body(description), headers=headers
                    )
                    with lock:
                        report.requests += 1
                        report.with_if_match += bool(headers)
                        if answer.status_code == 201:
                            body = answer.json()
                            acks.append(Ack(quote, description, body["version"], body["position"]))
                            known[quote] = body["version"]
                        elif answer.status_code == 409:
                            problem = answer.json()
                            if problem["type"] not in CONFLICT_TYPES:
                                report.problems.append(f"409 of type {problem['type']}")
                            if not isinstance(problem.get("current_version"), int):
                                report.problems.append("409 without current_version")
                            else:
                                known[quote] = problem["current_version"]
                            refused.append(description)
                        else:
                            report.other_statuses[answer.status_code] += 1
                            report.problems.append(
                                f"{description}: {answer.status_code} {answer.text[:200]}"
                            )
        except BaseException as error:  # reported below, never swallowed
            errors.append(error)

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    report.acknowledged = len(acks)
    report.conflicts = len(refused)
    _check_storm(server, quotes, acks, refused, report)
    return report


def _check_storm(
    server: LiveServer, quotes: list[UUID], acks: list[Ack], refused: list[str], report: StormReport
) -> None:
    problems = report.problems
    positions = Counter(a.position for a in acks)
    doubled_positions = [p for p, n in positions.items() if n > 1]
    if doubled_positions:
        problems.append(f"positions acknowledged twice: {doubled_positions[:5]}")
    fresh = Comptoir(server.settings.eventstore_env())
    try:
        last = fresh.log_position()
        journal = fresh.journal.journal_between(1, last)
        by_position: Counter[int] = Counter()
        for entry in journal:
            for p in range(entry.first_position, entry.last_position + 1):
                by_position[p] += 1
        command_ids = Counter(e.record.command_id for e in journal)
        if any(n > 1 for n in command_ids.values()):
            problems.append("a command id appears twice in the journal")
        for ack in acks:
            if by_position[ack.position] != 1:
                problems.append(f"position {ack.position} is in {by_position[ack.position]} rows")
        refused_set = set(refused)
        for quote in quotes:
            mine = {a.description: a for a in acks if a.quote == quote}
            history = fresh.history(quote)
            report.events_checked += len(history)
            added = [h for h in history if h.type.endswith("LineAdded")]
            added_positions = Counter(h.position for h in added)
            acked_positions = Counter(a.position for a in mine.values())
            if added_positions != acked_positions:
                problems.append(
                    f"quote {quote}: history positions differ from acknowledged ones "
                    f"({len(added_positions)} vs {len(acked_positions)})"
                )
            replayed = fresh.quotes.get(quote)
            lines = Counter(line.description for line in replayed.lines.values())
            report.doubled += sum(n - 1 for n in lines.values() if n > 1)
            report.lost += sum(1 for d in mine if d not in lines)
            half = [d for d in lines if d in refused_set]
            if half:
                problems.append(f"refused commands found in quote {quote}: {half[:5]}")
            if replayed.version != 1 + len(mine):
                problems.append(f"quote {quote}: version {replayed.version}, acks {len(mine)}")
            served = server.services.app.quotes.get(quote)
            view_served = QuoteView.of(served, NOW.date()).model_dump(mode="json")
            view_fresh = QuoteView.of(replayed, NOW.date()).model_dump(mode="json")
            if view_served != view_fresh:
                problems.append(f"quote {quote}: served state differs from the replay")
            report.rows_compared += 1
        views = server.services.views
        if not views.wait_for(last, timeout=30):
            problems.append("the projector did not reach the log end")
        cursor = views.reader()
        for quote in quotes:
            row = cursor.execute(
                "SELECT line_count, version FROM quotes WHERE quote_id = ?", [str(quote)]
            ).fetchone()
            replayed = fresh.quotes.get(quote)
            if row != (len(replayed.lines), replayed.version):
                problems.append(f"quotes view row {row} != replay of {quote}")
        _built, differences = views.verify()
        report.rows_compared += _rows(views.reader())
        if differences:
            problems.append(f"views differ from a rebuild: {[str(d) for d in differences]}")
    finally:
        fresh.close()
    if report.lost or report.doubled:
        problems.append(f"lost {report.lost}, doubled {report.doubled}")


def _rows(cursor: Any) -> int:
    from projections.rebuild import tables_of

    return sum(
        int(cursor.execute(f"SELECT count(*) FROM main.{t}").fetchone()[0])
        for t in tables_of(cursor)
    )


# ---------------------------------------------------------------------- retries


@dataclass
class RetryReport:
    """What a retry storm did and every discrepancy found afterwards."""

    requests: int = 0
    keys: int = 0
    first: int = 0
    replayed: int = 0
    events_added: int = 0
    events_expected: int = 0
    lost: int = 0
    doubled: int = 0
    problems: list[str] = field(default_factory=list)


def retry_storm(
    server: LiveServer,
    *,
    keys: int = 400,
    copies: int = 5,
    threads: int = 8,
    prefix: str | None = None,
) -> RetryReport:
    """`keys` drafts, each sent `copies` times at once from several threads, then once
    more after the fact; one quote per key, one set of events per key, and every
    duplicate answered with the first response, replayed, even one racing the first.
    """
    report = RetryReport(keys=keys)
    prefix = prefix or uuid.uuid4().hex[:8]
    key = server.key("retrier", "sales")
    settings = server.settings
    with server.client(key) as http:
        probe = http.post("/quotes", json={"currency": "EUR", "prospect": "probe"})
        probe.raise_for_status()
    # events of one draft: its journal entry's positions are contiguous
    fresh = Comptoir(settings.eventstore_env())
    try:
        probe_entry = fresh.journal.journal_between(
            probe.json()["position"], probe.json()["position"]
        )[0]
        per_command = probe_entry.last_position - probe_entry.first_position + 1
    finally:
        fresh.close()
    before, _ = count_events(settings)
    work: queue.Queue[str | None] = queue.Queue()
    for k in range(keys):
        for _ in range(copies):
            work.put(f"{prefix}-{k}")
    for _ in range(threads):
        work.put(None)
    answers: dict[str, list[tuple[int, dict[str, Any], bool]]] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def send(http: httpx.Client, idem: str) -> None:
        answer = http.post(
            "/quotes",
            json={"currency": "EUR", "prospect": idem, "title": "retried"},
            headers={"Idempotency-Key": idem},
        )
        replayed = answer.headers.get("Idempotent-Replayed") == "true"
        with lock:
            report.requests += 1
            answers.setdefault(idem, []).append((answer.status_code, answer.json(), replayed))

    def worker() -> None:
        try:
            with server.client(key) as http:
                while (idem := work.get()) is not None:
                    send(http, idem)
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    with server.client(key) as http:  # the late retry of every key, after the fact
        for k in range(keys):
            send(http, f"{prefix}-{k}")
    after, _ = count_events(settings)
    report.events_added = after - before
    report.events_expected = keys * per_command
    _check_retries(settings, answers, report)
    return report


def _check_retries(
    settings: Settings,
    answers: dict[str, list[tuple[int, dict[str, Any], bool]]],
    report: RetryReport,
) -> None:
    problems = report.problems
    if report.events_added != report.events_expected:
        problems.append(f"{report.events_added} events added, {report.events_expected} expected")
    fresh = Comptoir(settings.eventstore_env())
    try:
        for idem, got in answers.items():
            ok = [(body, replayed) for status, body, replayed in got if status == 201]
            others = [(status, body) for status, body, _ in got if status != 201]
            firsts = [body for body, replayed in ok if not replayed]
            report.first += len(firsts)
            report.replayed += len(ok) - len(firsts)
            if len(firsts) != 1:
                problems.append(f"{idem}: {len(firsts)} first (not replayed) answers")
                report.doubled += max(0, len(firsts) - 1)
            distinct = {(b["id"], b["version"], b["position"]) for b, _ in ok}
            if len(distinct) != 1:
                problems.append(f"{idem}: different 2xx answers {sorted(distinct)[:3]}")
            for status, body in others:
                problems.append(f"{idem}: answered {status} {body}")
            if not got or got[-1][0] != 201 or not got[-1][2]:
                problems.append(f"{idem}: the late retry was not a replay")
            entry = fresh.journal.journal_by_key("retrier", idem)
            if entry is None:
                report.lost += 1
                problems.append(f"{idem}: not in the journal")
                continue
            if ok and str(entry.record.aggregate_id) != ok[0][0]["id"]:
                problems.append(f"{idem}: the journal names another quote")
            quote = fresh.quotes.get(entry.record.aggregate_id)
            if quote.prospect != idem:
                problems.append(f"{idem}: its quote has prospect {quote.prospect!r}")
    finally:
        fresh.close()


def today() -> date:
    return NOW.date()
