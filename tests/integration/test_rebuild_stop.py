"""A rebuild told to stop (its process is stopping) ends its processes and keeps no file;
closing a read model stops the rebuild it runs."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.app import Comptoir
from projections import parallel
from projections.live import LiveViews
from projections.parallel import RebuildStopped
from projections.rebuild import rebuild
from tests.conftest import generated_company

EVENTS = 1500


@pytest.fixture
def generated(pg_schema: str, tmp_path: Path) -> Iterator[Comptoir]:
    app = generated_company(tmp_path, pg_schema, seed=29, events=EVENTS)
    yield app
    app.close()


def no_processes_left() -> bool:
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    return not multiprocessing.active_children()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stopped_rebuild_leaves_no_file_and_no_process(
    generated: Comptoir, tmp_path: Path, workers: int
) -> None:
    stop = threading.Event()
    stop.set()  # the first batch is folded, then the rebuild ends
    with pytest.raises(RebuildStopped):
        rebuild(
            generated,
            tmp_path / "stopped.duckdb",
            page_size=7,
            workers=workers,
            parallel_from=0,
            stop=stop,
        )
    assert list(tmp_path.glob("stopped.duckdb*")) == []
    assert no_processes_left()
    built = rebuild(generated, tmp_path / "stopped.duckdb", workers=workers, parallel_from=0)
    assert built.events == EVENTS  # nothing in the way of the next one


def test_closing_the_read_model_stops_its_rebuild(
    generated: Comptoir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    views = LiveViews(generated, tmp_path / "views.duckdb", rebuild_workers=2)
    views.runner.catch_up()
    views.page_size = 1  # the rebuild folds a few events a batch: it lasts seconds
    live = views.path
    failures: list[BaseException] = []

    def run() -> None:
        try:
            views.rebuild_and_switch()
        except BaseException as error:
            failures.append(error)

    rebuilding = threading.Thread(target=run)
    rebuilding.start()
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("views.duckdb.*.share1")):  # the second process folds
        assert rebuilding.is_alive(), failures
        assert time.monotonic() < deadline, "no share was folded"
        time.sleep(0.05)
    views.close()
    rebuilding.join(timeout=30)
    assert not rebuilding.is_alive()
    assert [type(f) for f in failures] == [RebuildStopped]
    assert no_processes_left()
    left = [p.name for p in tmp_path.iterdir() if re.fullmatch(r"views\.duckdb\.\d+.*", p.name)]
    assert left == []
    assert live.exists()
    with pytest.raises(RebuildStopped):  # a closed read model starts no rebuild
        views.rebuild_and_switch()
