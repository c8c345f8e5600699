"""The worker processes of a command node (`comptoir serve --role command --workers N`).

uvicorn's own supervisor binds one socket that every worker accepts from. An HTTP client
keeps its connection open, so a connection stays with the worker that accepted it, and
the worker that wakes first accepts most of a burst: under a load of 16 keep-alive
connections, one of two workers held all 16 in one load of three, and two workers
served no more than one (docs/benchmarks.md, section 4).

Here every worker listens on a socket of its own, bound with `SO_REUSEPORT`: the kernel
spreads new connections across the workers' sockets by a hash of their addresses. The
supervisor keeps one more socket bound to the port without listening on it, so that the
port stays the node's between two workers (Linux lets only the same user's sockets with
`SO_REUSEPORT` share it), and a port already taken fails at once with one readable line.

A worker that dies is started again after a second. A worker that hangs (its event
loop blocked, or the process stopped) keeps its socket, and the kernel would go on
handing it new connections: each worker's event loop beats once a second into a value
the supervisor reads, and a worker silent for `--worker-timeout` seconds (30 by default)
is killed and replaced. SIGTERM or SIGINT to the supervisor stops every worker gracefully
(each finishes its requests in flight). A worker whose supervisor is gone, even killed,
stops too: otherwise it would go on answering on the port beside the next node started
there.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from types import FrameType

import uvicorn

from adapters.processes import when_parent_ends

log = logging.getLogger(__name__)

# seconds between two looks at the workers, and before a dead one is started again
WATCH_S = 0.5
RESTART_AFTER_S = 1.0
# seconds a stopping worker has to finish its requests before it is killed
STOP_GRACE_S = 30.0
# seconds between two beats of a worker's event loop; the silence after which a worker is
# replaced, by default; and how long a worker may take to start serving (build the app,
# reach Postgres) before its first beat
BEAT_S = 1.0
WORKER_TIMEOUT_S = 30.0
STARTUP_S = 120.0


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to `host`:`port` with `SO_REUSEPORT`, not yet listening."""
    if not hasattr(socket, "SO_REUSEPORT"):  # Windows
        raise OSError(errno.EOPNOTSUPP, "this system has no SO_REUSEPORT for --workers N")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def serve_worker(host: str, port: int, heartbeat: Synchronized[float]) -> None:
    """One worker process: the app built from `COMPTOIR_*`, served on its own socket,
    its event loop beating into `heartbeat` (`time.monotonic()`) once it serves."""
    _stop_with_supervisor()
    config = uvicorn.Config(
        "interfaces.asgi:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    listening = reuse_port_socket(host, port)

    async def serve() -> None:
        beating = asyncio.create_task(_beat(server, heartbeat))
        try:
            await server.serve(sockets=[listening])
        finally:
            beating.cancel()

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(serve())


async def _beat(server: uvicorn.Server, heartbeat: Synchronized[float]) -> None:
    """Tell the supervisor, every `BEAT_S` once the worker listens, that its event loop
    turns (looking every 50 ms until then, so that the first beat follows at once)."""
    while not server.started:
        await asyncio.sleep(0.05)
    while True:
        heartbeat.value = time.monotonic()
        await asyncio.sleep(BEAT_S)


def _stop_with_supervisor() -> None:
    """Stop this worker gracefully (SIGTERM to itself) once its supervisor has ended."""
    when_parent_ends(lambda: os.kill(os.getpid(), signal.SIGTERM))


class Supervisor:
    """Starts `workers` processes serving on `host`:`port`, replaces any that dies, and
    stops them all on SIGTERM or SIGINT."""

    def __init__(
        self, host: str, port: int, workers: int, timeout_s: float = WORKER_TIMEOUT_S
    ) -> None:
        self.host = host
        self.port = port
        self.workers = workers
        self.timeout_s = timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        # each worker's last beat (0 until it serves) and when it was started
        self._beats: dict[int, tuple[Synchronized[float], float]] = {}

    def run(self) -> None:
        """Serve until told to stop; raises OSError when the port cannot be bound."""
        held = reuse_port_socket(self.host, self.port)  # the port, reserved for the node
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        processes = [self._start() for _ in range(self.workers)]
        try:
            while not self._stop.wait(WATCH_S):
                for index, process in enumerate(processes):
                    if process.is_alive() and self._silent(process):
                        process.kill()
                        process.join()
                    if not process.is_alive() and not self._stop.wait(RESTART_AFTER_S):
                        self._beats.pop(process.pid or 0, None)
                        log.error(
                            "worker %s ended (exit code %s); starting another",
                            process.pid,
                            process.exitcode,
                        )
                        processes[index] = self._start()
        finally:
            self._stop_all(processes)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            held.close()

    def _start(self) -> BaseProcess:
        heartbeat = self._context.Value("d", 0.0, lock=False)
        process = self._context.Process(target=serve_worker, args=(self.host, self.port, heartbeat))
        process.start()
        assert process.pid is not None
        self._beats[process.pid] = (heartbeat, time.monotonic())
        return process

    def _silent(self, process: BaseProcess) -> bool:
        """Whether the worker has not beaten for the timeout (or not started serving in
        `STARTUP_S`): it is hung, and its socket would take connections it never serves."""
        assert process.pid is not None
        heartbeat, started = self._beats[process.pid]
        last = heartbeat.value
        silence = time.monotonic() - (last or started)
        if silence < (self.timeout_s if last else STARTUP_S):
            return False
        log.error("worker %s has been silent for %.0f s; replacing it", process.pid, silence)
        del self._beats[process.pid]
        return True

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self._stop.set()

    @staticmethod
    def _stop_all(processes: list[BaseProcess]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_GRACE_S)
            if process.is_alive():
                process.kill()
                process.join()
