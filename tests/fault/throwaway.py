"""Throwaway PostgreSQL and Redis servers for fault tests: never the machine's shared ones.

Postgres refuses to run as root, so as root it runs as the unprivileged `comptoir`
user (created with useradd when missing), like `scripts/services.sh`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from tests.load.harness import free_port

SERVICE_USER = os.environ.get("COMPTOIR_SERVICES_USER", "comptoir")


class Unavailable(Exception):
    """The binaries or the user needed for a throwaway server are missing."""


def pg_bindir() -> Path:
    candidates = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(found.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        path = Path(candidate)
        if all((path / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return path
    raise Unavailable("no initdb/pg_ctl (pg_config --bindir, /usr/lib/postgresql/*/bin)")


def _ensure_service_user() -> None:
    """Create the unprivileged user PostgreSQL runs as, when it is missing (root only)."""
    for attempt in range(5):  # useradd fails while another process holds /etc/passwd's lock
        if subprocess.run(["id", SERVICE_USER], capture_output=True).returncode == 0:
            break
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            capture_output=True,
        )
        time.sleep(0.2 * attempt)


def _as_service_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    _ensure_service_user()
    if not shutil.which("runuser"):
        raise Unavailable("running as root without runuser")
    return ["runuser", "-u", SERVICE_USER, "--", *command]


class ThrowawayPostgres:
    """initdb in a temporary directory, then pg_ctl start/stop on a free port."""

    def __init__(self) -> None:
        self.bindir = pg_bindir()
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        if os.geteuid() == 0:
            _ensure_service_user()
            shutil.chown(self.home, user=SERVICE_USER)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        )

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(
            _as_service_user(command), capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                mode,
                "-w",
                "-t",
                "60",
                "stop",
            ]
        )

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def destroy(self) -> None:
        with contextlib.suppress(Exception):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)


class ThrowawayRedis:
    """`redis-server` on a free port, no persistence, started and stopped by the test."""

    def __init__(self) -> None:
        if not shutil.which("redis-server"):
            raise Unavailable("no redis-server on PATH")
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="comptoir-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.pidfile = self.home / "redis.pid"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.home),
                "--pidfile",
                str(self.pidfile),
                "--logfile",
                str(self.home / "redis.log"),
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.client().ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def stop(self) -> None:
        with contextlib.suppress(redis.ConnectionError):  # it closes under us
            self.client().shutdown(nosave=True)
        deadline = time.monotonic() + 20
        while self.pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)
