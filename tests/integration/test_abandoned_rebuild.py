"""A rebuild killed before it finished leaves its file; the next rebuild beside it removes it.

While it runs, a rebuild keeps a marker naming its process beside the file it writes. A
marker whose process has ended belongs to a rebuild that will never finish: its file,
write-ahead log and shares go, while a rebuild still running keeps its own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from application.app import Comptoir
from interfaces.settings import Settings
from projections.rebuild import BUILDING, rebuild, remove_abandoned
from tests.conftest import store_env
from tests.fault.topology_support import ROOT
from tests.integration.test_quarantine import sell

# A rebuild that waits once its views are folded, so that it can be killed unfinished.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import projections.rebuild as rebuilding
    from interfaces.settings import Settings
    from application.app import Comptoir

    folded = rebuilding.fold_share

    def then_wait(*args, **kwargs):
        result = folded(*args, **kwargs)
        print("folded", flush=True)
        time.sleep(120)
        return result

    rebuilding.fold_share = then_wait
    with Comptoir(Settings().eventstore_env()) as app:
        rebuilding.rebuild(app, Path(sys.argv[1]))
    """
)


def test_the_file_of_a_killed_rebuild_is_removed_by_the_next_one(
    settings: Settings, tmp_path: Path
) -> None:
    with Comptoir(settings.eventstore_env()) as app:
        sell(app, "Martin")
        sell(app, "Dupont")
    killed = tmp_path / "views.duckdb.1"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(killed)],
        cwd=ROOT,
        env=os.environ | store_env(settings),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "folded"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    marker = killed.with_name(killed.name + BUILDING)
    assert killed.exists()  # what a killed rebuild leaves
    assert marker.exists()

    with Comptoir(settings.eventstore_env()) as app:
        built = rebuild(app, tmp_path / "views.duckdb.2")
        assert built.events == app.log_position()
    assert not killed.exists()
    assert not killed.with_name(killed.name + ".wal").exists()
    assert not marker.exists()
    assert sorted(p.name for p in tmp_path.glob("views.duckdb*")) == ["views.duckdb.2"]


def test_a_rebuild_still_running_keeps_its_file(tmp_path: Path) -> None:
    running = tmp_path / "views.duckdb.3"
    running.write_bytes(b"folding")
    running.with_name(running.name + BUILDING).write_text(str(os.getpid()))
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    abandoned = tmp_path / "views.duckdb.4"
    share = abandoned.with_name(abandoned.name + ".share1")
    for path in (abandoned, share, share.with_name(share.name + ".wal")):
        path.write_bytes(b"folded")
    abandoned.with_name(abandoned.name + BUILDING).write_text(ended.stdout.strip())

    assert remove_abandoned(tmp_path) == [abandoned]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "views.duckdb.3",
        "views.duckdb.3.building",
    ]
