"""A rebuild split across processes equals the one-process rebuild, row for row."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections import parallel
from projections.live import LiveViews
from projections.parallel import shareable
from projections.rebuild import Rebuilt, compare, rebuild, tables_of
from tests.conftest import generated_company, settings_for, store_env
from tests.integration.test_quarantine import sell, write_poison, write_undecodable

EVENTS = 1500
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def generated(pg_schema: str, tmp_path: Path) -> Iterator[Comptoir]:
    app = generated_company(tmp_path, pg_schema, seed=23, events=EVENTS)
    yield app
    app.close()


def equal(one: Rebuilt, other: Rebuilt) -> None:
    store = DuckStore(one.path)
    try:
        populated = [
            t
            for t in tables_of(store.writer())
            if store.writer().execute(f"SELECT count(*) FROM {t}").fetchone() != (0,)
        ]
        assert {"quotes", "pipeline", "budget_vs_actual", "audit_log", "documents"} <= set(
            populated
        )
        assert compare(store.writer(), other.path) == []
    finally:
        store.close()


def test_three_processes_fold_the_same_views_as_one(generated: Comptoir, tmp_path: Path) -> None:
    assert shareable(generated)
    one = rebuild(generated, tmp_path / "one.duckdb", page_size=997)
    three = rebuild(generated, tmp_path / "three.duckdb", page_size=7, workers=3, parallel_from=0)
    assert (one.position, one.events) == (three.position, three.events) == (EVENTS, EVENTS)
    equal(one, three)
    assert not list(tmp_path.glob("*.share*"))  # the shares' files are gone


def test_a_parallel_rebuild_stops_where_it_is_told(generated: Comptoir, tmp_path: Path) -> None:
    one = rebuild(generated, tmp_path / "one.duckdb", until=700)
    two = rebuild(
        generated, tmp_path / "two.duckdb", page_size=50, until=700, workers=2, parallel_from=0
    )
    assert one.position == two.position == 700
    equal(one, two)


def test_a_parallel_rebuild_quarantines_the_same_documents(
    settings: Settings, tmp_path: Path
) -> None:
    app = Comptoir(settings.eventstore_env())
    martin = sell(app, "Martin")
    write_poison(app, martin)
    leroy = sell(app, "Leroy")
    write_undecodable(app, leroy)
    for prospect in ("Dupont", "Moreau", "Petit"):
        sell(app, prospect)
    assert shareable(app)
    one = rebuild(app, tmp_path / "one.duckdb", page_size=3)
    two = rebuild(app, tmp_path / "two.duckdb", page_size=3, workers=2, parallel_from=0)
    assert sorted(e.document_id for e in two.quarantined) == sorted([str(martin), str(leroy)])
    assert set(two.quarantined) == set(one.quarantined)
    store = DuckStore(two.path)
    assert compare(store.writer(), one.path) == []
    store.close()
    app.close()


def test_the_server_rebuilds_in_parallel_and_switches(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    app = Comptoir(settings.eventstore_env())
    for prospect in ("Martin", "Dupont"):
        sell(app, prospect)
    views = LiveViews(app, tmp_path / "views.duckdb", rebuild_workers=2)
    views.runner.catch_up()
    built = views.rebuild_and_switch()
    assert views.path == built.path
    assert built.position == app.log_position()
    rows = views.reader().execute("SELECT prospect FROM quotes ORDER BY prospect").fetchall()
    assert rows == [("Dupont",), ("Martin",)]
    _, differences = views.verify()
    assert differences == []
    again = views.rebuild_and_switch()  # a verification leaves the read model switchable
    assert views.path == again.path != built.path
    views.close()
    app.close()


def test_a_store_in_memory_folds_in_one_process(memory_settings: Settings, tmp_path: Path) -> None:
    app = Comptoir(memory_settings.eventstore_env())
    sell(app, "Martin")
    assert not shareable(app)
    built = rebuild(app, tmp_path / "views.duckdb", workers=4, parallel_from=0)
    assert built.position == app.log_position()
    assert not list(tmp_path.glob("*.share*"))
    app.close()


def test_a_share_that_fails_leaves_no_file_behind(generated: Comptoir, tmp_path: Path) -> None:
    (tmp_path / "views.duckdb.share1").mkdir()  # the second process cannot open its file
    with pytest.raises(Exception, match="share1"):
        rebuild(generated, tmp_path / "views.duckdb", workers=2, parallel_from=0)
    assert [p.name for p in tmp_path.glob("views.duckdb*")] == ["views.duckdb.share1"]


def test_a_new_read_model_rebuilds_a_long_backlog_in_parallel_then_follows(
    generated: Comptoir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    views = LiveViews(generated, tmp_path / "views.duckdb", rebuild_workers=2)
    views.backlog_rebuild = EVENTS  # the log is that long: rebuilt, then followed
    views.start(0.05)
    assert views.wait_for(EVENTS, timeout=120)
    assert views.path.name.startswith("views.duckdb.")  # the rebuilt file, switched to
    martin = sell(generated, "Martin")
    assert views.wait_for(generated.log_position(), timeout=30)
    found = views.reader().execute("SELECT prospect FROM quotes WHERE quote_id = ?", [str(martin)])
    assert found.fetchall() == [("Martin",)]
    _, differences = views.verify()
    assert differences == []
    views.close()


def test_a_shorter_backlog_is_caught_up_batch_by_batch(generated: Comptoir, tmp_path: Path) -> None:
    views = LiveViews(generated, tmp_path / "views.duckdb", rebuild_workers=2)
    views.backlog_rebuild = EVENTS + 1
    views.start(0.05)
    assert views.wait_for(EVENTS, timeout=120)
    assert views.path == tmp_path / "views.duckdb"
    views.close()


def test_a_short_log_or_an_empty_one_is_folded_in_one_process(
    generated: Comptoir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> tuple[int, int]:
        raise AssertionError("folded in parallel")

    monkeypatch.setattr("projections.rebuild.fold_in_parallel", refuse)
    built = rebuild(generated, tmp_path / "short.duckdb", workers=2)  # 1,500 < 20,000
    assert built.position == EVENTS
    empty = rebuild(generated, tmp_path / "empty.duckdb", until=0, workers=2, parallel_from=0)
    assert (empty.position, empty.events) == (0, 0)


class AheadComptoir(Comptoir):
    """Like a query node on a standby: `log_position()` is the primary's, ahead."""

    name = Comptoir.name  # the same tables

    def log_position(self) -> int:
        return super().log_position() + 1000


def test_every_process_stops_where_the_store_it_reads_ends(
    generated: Comptoir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead = AheadComptoir(dict(generated.env))
    ends: list[int] = []

    def fold(
        app: Comptoir, target: Path, page_size: int, until: int, workers: int, stop: Any
    ) -> tuple[int, int]:
        ends.append(until)
        return parallel.fold_in_parallel(app, target, page_size, until, workers, stop)

    monkeypatch.setattr("projections.rebuild.fold_in_parallel", fold)
    two = rebuild(ahead, tmp_path / "two.duckdb", workers=2, parallel_from=0)
    assert ends == [EVENTS]  # not the primary's 2,500, which the standby may not hold yet
    assert two.position == EVENTS
    equal(two, rebuild(generated, tmp_path / "one.duckdb"))
    ahead.close()


def test_a_read_model_closed_meanwhile_switches_to_nothing(
    generated: Comptoir, tmp_path: Path
) -> None:
    views = LiveViews(generated, tmp_path / "views.duckdb")
    built = rebuild(generated, tmp_path / "rebuilt.duckdb")
    views.close()  # e.g. the server stops while a backlog's rebuild finishes
    views.switch_to(built.path)
    assert views.path == tmp_path / "views.duckdb"
    assert not (tmp_path / "views.duckdb.current").exists()  # no pointer to the new file


# Started as its own process, then killed: a rebuild in two processes, slow on purpose.
REBUILD_SCRIPT = """
import sys
from pathlib import Path
from application.app import Comptoir
from interfaces.settings import Settings
from projections.rebuild import rebuild

if __name__ == "__main__":
    app = Comptoir(Settings().eventstore_env())
    rebuild(app, Path(sys.argv[1]), page_size=1, workers=2, parallel_from=0)
"""


def children_of(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_share_process_ends_when_the_rebuild_that_started_it_is_killed(
    generated: Comptoir, pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema)
    script = tmp_path / "rebuild.py"
    script.write_text(REBUILD_SCRIPT)
    env = {**os.environ, **store_env(settings), "PYTHONPATH": str(ROOT)}
    started = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "killed.duckdb")], env=env, cwd=ROOT
    )
    shares: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not shares and time.monotonic() < deadline:
            # the share process, once it reads the log (its file exists)
            if list(tmp_path.glob("killed.duckdb.share1*")):
                shares = children_of(started.pid)
            time.sleep(0.1)
        assert shares, "no share process started"
        assert started.poll() is None  # still folding: one event a page
        started.kill()
        started.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in shares) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in shares)
    finally:
        started.kill()
        for pid in shares:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_share_file_left_by_a_killed_rebuild_is_not_resumed(
    generated: Comptoir, tmp_path: Path
) -> None:
    one = rebuild(generated, tmp_path / "one.duckdb", page_size=997)
    # as a rebuild killed mid-way with another number of processes could leave it
    shutil.copy(one.path, tmp_path / "two.duckdb.share1")
    two = rebuild(generated, tmp_path / "two.duckdb", page_size=7, workers=2, parallel_from=0)
    equal(one, two)
