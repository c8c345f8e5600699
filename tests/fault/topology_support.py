"""Processes of the topology test: a hot standby of a throwaway primary, and nodes.

Each node is a real `comptoir` process (`python -m interfaces.cli …`) with a data
directory of its own, configured only by its `COMPTOIR_*` environment, as on a machine
of its own; the test reaches it over HTTP and kills it with signals.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import duckdb
import httpx
import psycopg
import redis

from interfaces.settings import Settings
from interfaces.worker import WorkerState, create_broker, declare_actors
from tests.fault.throwaway import SERVICE_USER, ThrowawayPostgres
from tests.load.harness import free_port

ROOT = Path(__file__).resolve().parents[2]
START_S = 120.0  # a loaded 2-core machine imports the app slowly


class ThrowawayStandby(ThrowawayPostgres):
    """A hot standby of `primary`: `pg_basebackup -R` into a fresh directory, streaming."""

    def __init__(self, primary: ThrowawayPostgres) -> None:  # no initdb: a base backup
        self.bindir = primary.bindir
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="comptoir-standby-"))
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.home, user=SERVICE_USER)
        self._run(
            [
                str(self.bindir / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(self.data),
                "-R",  # standby.signal and primary_conninfo: it follows the primary
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )

    def in_recovery(self) -> bool:
        with self.connect() as conn:
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without its COMPTOIR_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    return env | {f"COMPTOIR_{name.upper()}": value for name, value in settings.items()}


def postgres_environment(settings: Settings, **more: str) -> dict[str, str]:
    """The environment of a process on the Postgres database and schema of `settings`."""
    return clean_environment(
        event_store="postgres",
        pg_host=settings.pg_host,
        pg_port=str(settings.pg_port),
        pg_user=settings.pg_user,
        pg_password=settings.pg_password,
        pg_dbname=settings.pg_dbname,
        pg_schema=settings.pg_schema,
        **more,
    )


class Node:
    """One `comptoir` process: started, waited for, stopped or killed by the test."""

    def __init__(self, name: str, home: Path, env: dict[str, str], *args: str) -> None:
        self.name = name
        self.home = home / name
        self.home.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env | {
            "COMPTOIR_DUCKDB_PATH": str(self.home / "views.duckdb"),
            "COMPTOIR_WORKER_DUCKDB_PATH": str(self.home / "worker-views.duckdb"),
            "COMPTOIR_SQLITE_PATH": str(self.home / "unused.sqlite"),
            "COMPTOIR_BLOB_DIR": str(self.home / "blobs"),
            "COMPTOIR_SIGNING_KEY_FILE": str(self.home / "unused.key"),
            "COMPTOIR_HTTP_PORT": str(self.port),
        }
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> Node:
        self._log = open(self.home / "output.log", "ab")  # noqa: SIM115  # the process's
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interfaces.cli", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its uvicorn workers are signalled with it
        )
        return self

    def output(self) -> str:
        """The process's output: its first traceback, if any, then its last lines."""
        path = self.home / "output.log"
        if not path.exists():
            return ""
        text = path.read_text(errors="replace")
        first = text.find("Traceback")
        if first == -1 or first >= len(text) - 3000:
            return text[-3000:]
        return f"{text[first : first + 4000]}\n…\n{text[-3000:]}"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = START_S) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if not self.alive():
                raise AssertionError(f"{self.name} exited while {what}:\n{self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: not {what} in {timeout}s:\n{self.output()}")
            time.sleep(0.2)

    def wait_ready(self) -> Node:
        def up() -> bool:
            try:
                return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        self.wait_until(up, "answering /health")
        return self

    def client(self, key: str, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-API-Key": key}, timeout=timeout)

    def health(self, key: str) -> dict[str, Any]:
        with self.client(key) as http:
            answer = http.get("/health")
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    def kill(self) -> None:
        """SIGKILL, no chance to clean up (the whole process group: uvicorn workers too)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        if self._log is not None:
            self._log.close()


def check_worker(settings: Settings, tmp_path: Path, quotes: int) -> None:
    """The dramatiq worker on the topology's queue exports the views it reads from the log."""
    target = tmp_path / "export"
    actors = declare_actors(create_broker(settings), WorkerState(settings))
    actors.export_views.send(str(target))
    parquet = target / "parquet" / "quotes.parquet"
    deadline = time.monotonic() + 60
    while not parquet.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # the other files of the export
    with duckdb.connect() as con:
        row = con.execute(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchone()
    assert row is not None
    assert row[0] == quotes


def check_sealed_once(settings: Settings) -> None:
    """One process holds the sealer's lock, and the chain reaches the log's end."""
    end = log_end(settings)
    deadline = time.monotonic() + 30
    with connect(settings) as conn:
        while True:
            row = conn.execute(last_of(settings, "comptoir_chain")).fetchone()
            if (row and row[0] >= end) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert row is not None
        assert row[0] >= end, f"sealed to {row[0]}, log at {end}"
        holders = conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND s.application_name = 'comptoir-leadership'"
        ).fetchone()
    assert holders is not None
    assert holders[0] == 1, "one process, and only one, holds the sealer's lock"


def last_of(settings: Settings, table: str) -> bytes:
    """The query of the last notification id in `table` (0 when empty)."""
    qualified = f'"{settings.pg_schema}".{table}'
    return f"SELECT coalesce(max(notification_id), 0) FROM {qualified}".encode()


def log_end(settings: Settings) -> int:
    with connect(settings) as conn:
        row = conn.execute(last_of(settings, "comptoir_events")).fetchone()
    assert row is not None
    return int(row[0])


def connect(settings: Settings) -> psycopg.Connection[Any]:
    return psycopg.connect(
        host=settings.pg_host,
        port=settings.pg_port,
        user=settings.pg_user,
        password=settings.pg_password or None,
        dbname=settings.pg_dbname,
        autocommit=True,
    )


def flush_namespace(url: str, namespace: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(f"{namespace}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
