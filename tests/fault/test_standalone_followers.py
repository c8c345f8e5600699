"""A projector and a sealer on their own (`comptoir project --follow`, `comptoir audit
seal --follow`): real processes following the Postgres log until SIGTERM; two sealers
take turns, never both at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from application.app import Comptoir
from interfaces.cli import cli
from interfaces.settings import Settings
from tests.conftest import settings_for
from tests.fault.topology_support import ROOT, START_S, log_end, postgres_environment
from tests.fault.workload import business_round


class Follower:
    """A `comptoir … --follow` process whose `at P` lines are collected by a thread."""

    def __init__(self, settings: Settings, *args: str) -> None:
        env = postgres_environment(
            settings,
            signing_key_file=str(settings.signing_key_file),
            duckdb_path=str(settings.duckdb_path),
            projector_poll_s="0.1",
            sealer_poll_s="0.1",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "interfaces.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def position(self) -> int:
        at = [int(line.split()[1]) for line in list(self.lines) if line.startswith("at ")]
        return at[-1] if at else -1

    def wait_for(self, position: int, timeout: float = START_S) -> None:
        deadline = time.monotonic() + timeout
        while self.position() < position:
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, "\n".join(self.lines)
            time.sleep(0.1)

    def terminate(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=10)
        return code


@pytest.fixture
def postgres_settings(pg_schema: str, tmp_path: Path) -> Settings:
    return settings_for("postgres", tmp_path, pg_schema)


def test_a_projector_alone_follows_the_log_until_stopped(postgres_settings: Settings) -> None:
    with Comptoir(postgres_settings.eventstore_env()) as app:
        rounds = 3
        for n in range(rounds):
            business_round(app, n)
        projector = Follower(postgres_settings, "project", "--follow")
        try:
            projector.wait_for(log_end(postgres_settings))
            for n in range(rounds, rounds + 2):  # written while it follows
                business_round(app, n)
            projector.wait_for(log_end(postgres_settings), timeout=30)
        finally:
            assert projector.terminate() == 0, projector.lines
    with duckdb.connect(str(postgres_settings.duckdb_path), read_only=True) as views:
        row = views.execute("SELECT count(*) FROM quotes").fetchone()
    assert row is not None
    assert row[0] == rounds + 2


def test_two_sealers_alone_take_turns_and_seal_everything(postgres_settings: Settings) -> None:
    with Comptoir(postgres_settings.eventstore_env()) as app:
        business_round(app, 0)
        first = Follower(postgres_settings, "audit", "seal", "--follow")
        second: Follower | None = None
        try:
            first.wait_for(log_end(postgres_settings))
            second = Follower(postgres_settings, "audit", "seal", "--follow")
            deadline = time.monotonic() + START_S
            while not any("another process seals" in line for line in second.lines):
                assert time.monotonic() < deadline, second.lines
                time.sleep(0.1)
            assert first.terminate() == 0
            business_round(app, 1)
            second.wait_for(log_end(postgres_settings), timeout=60)  # it took over
        finally:
            first.terminate()
            if second is not None:
                second.terminate()


def test_several_worker_processes_are_for_command_nodes_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COMPTOIR_ROLE", "all")  # restored afterwards: serve sets it
    for role in ("query", "all"):
        result = CliRunner().invoke(cli, ["serve", "--role", role, "--workers", "2"])
        assert result.exit_code == 2
        assert "--workers N needs --role command" in result.output
        assert os.environ["COMPTOIR_ROLE"] == role
