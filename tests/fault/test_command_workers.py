"""`comptoir serve --workers 2`: each worker listens on a socket of its own, bursts of
connections are spread across both, a killed worker is replaced while the other keeps
answering, so is a hung one (stopped, its socket still open), and a port already taken
stops the node with one readable line.

`/health` (with a key) names the `process` that answered.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from application.app import Comptoir
from application.journal import CommandContext
from application.signing import Keyring
from tests.conftest import settings_for
from tests.fault.topology_support import ROOT, Node, postgres_environment
from tests.load.harness import NOW

CONNECTIONS = 16
BURSTS = 3
# Of 48 connections spread by a hash, one worker takes 41 or more about once in 1.6 million
# runs; a socket shared by both gave one worker all 16 of a burst in one load of three.
MOST_FOR_ONE_WORKER = 40


def _listening_sockets(pid: int, port: int) -> set[int]:
    """The inodes of the sockets listening on `port` that process `pid` holds."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                listening.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except FileNotFoundError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            held.add(int(target[8:-1]))
    return listening & held


def _listening_workers(node: Node) -> list[int]:
    """The supervisor's children that listen on the node's port."""
    assert node.process is not None
    supervisor = node.process.pid
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    return [int(pid) for pid in children if _listening_sockets(int(pid), node.port)]


def _processes_answering(node: Node, key: str) -> list[int]:
    """The worker process behind each of 16 connections opened at the same moment."""
    start = threading.Barrier(CONNECTIONS)
    found: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with node.client(key) as http:  # a connection of its own
                start.wait(timeout=30)
                found.append(int(http.get("/health").json()["process"]))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return found


def _both_answer(node: Node, key: str, not_: int | None = None) -> bool:
    """Whether a burst reaches two workers (neither of them `not_`); False while starting."""
    try:
        found = set(_processes_answering(node, key))
    except AssertionError:  # a worker not listening yet
        return False
    return len(found) == 2 and not_ not in found


def test_two_workers_each_accept_part_of_a_burst_of_connections(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    env = postgres_environment(
        settings,
        pg_pool_size="2",
        signing_key=Keyring.generate().text(),
    )
    with Comptoir(
        settings.model_copy(update={"signing_key": env["COMPTOIR_SIGNING_KEY"]}).eventstore_env()
    ) as app:
        key, _ = app.access.issue(CommandContext(actor="test", at=NOW), user="ops", roles=["sales"])
    node = Node("command", tmp_path, env, "serve", "--role", "command", "--workers", "2")
    try:
        node.start().wait_ready()
        node.wait_until(lambda: _both_answer(node, key), "both workers answering")
        taken: Counter[int] = Counter()
        for _ in range(BURSTS):
            answered = _processes_answering(node, key)
            assert len(answered) == CONNECTIONS
            taken.update(answered)
        assert len(taken) == 2, taken
        assert max(taken.values()) <= MOST_FOR_ONE_WORKER, f"one worker took most: {taken}"
        first, second = (_listening_sockets(pid, node.port) for pid in taken)
        assert len(first) == len(second) == 1, (first, second)
        assert first != second, "the workers share one listening socket"
        victim = answered[0]
        os.kill(victim, signal.SIGKILL)
        with node.client(key) as http:  # the other worker answers meanwhile
            assert http.get("/health").status_code == 200

        node.wait_until(
            lambda: _both_answer(node, key, not_=victim), "a new worker in the killed one's place"
        )
    finally:
        node.stop()
    assert "Traceback" not in node.output(), node.output()


def test_a_port_already_taken_stops_a_node_with_one_readable_line(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    env = postgres_environment(settings, signing_key=Keyring.generate().text())
    node = Node("command", tmp_path, env)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "interfaces.cli", "serve", "--role", "command"]
        result = subprocess.run(
            [*command, "--workers", "2"],
            cwd=ROOT,
            env=node.env | {"COMPTOIR_HTTP_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result
    assert f"comptoir: cannot listen on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_workers_of_a_killed_supervisor_stop_and_free_the_port(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    env = postgres_environment(settings, signing_key=Keyring.generate().text())
    node = Node("command", tmp_path, env, "serve", "--role", "command", "--workers", "2")
    node.start().wait_ready()
    assert node.process is not None
    supervisor = node.process.pid
    node.wait_until(lambda: len(_listening_workers(node)) == 2, "both workers listening")
    workers = _listening_workers(node)
    try:
        os.kill(supervisor, signal.SIGKILL)  # the supervisor only
        node.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in workers):
            assert time.monotonic() < deadline, "a worker outlived its supervisor"
            time.sleep(0.1)
        with socket.socket() as again:  # a node started without SO_REUSEPORT can bind it
            again.bind(("127.0.0.1", node.port))
    finally:
        for pid in workers:
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


def test_a_hung_worker_is_killed_and_replaced(pg_schema: str, tmp_path: Path) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    env = postgres_environment(settings, signing_key=Keyring.generate().text())
    node = Node(
        "command",
        tmp_path,
        env,
        *("serve", "--role", "command", "--workers", "2", "--worker-timeout", "2"),
    )
    node.start().wait_ready()
    node.wait_until(lambda: len(_listening_workers(node)) == 2, "both workers listening")
    hung, other = _listening_workers(node)
    time.sleep(0.5)  # each worker beats within 50 ms of listening
    try:
        os.kill(hung, signal.SIGSTOP)  # alive, its socket open, never answering

        def replaced() -> bool:
            workers = _listening_workers(node)
            return len(workers) == 2 and other in workers and hung not in workers

        node.wait_until(replaced, "the hung worker replaced")
        assert not Path(f"/proc/{hung}").exists()  # killed, and reaped
        time.sleep(3)  # more than the timeout: the workers serving are not replaced
        assert other in _listening_workers(node)
    finally:
        if Path(f"/proc/{hung}").exists():
            os.kill(hung, signal.SIGKILL)
        node.stop()
    assert f"worker {hung} has been silent for" in node.output(), node.output()
    assert "Traceback" not in node.output(), node.output()
