"""Many clients, conflicting commands on the same few quotes: nothing lost, nothing doubled.

Through a real uvicorn server on Postgres: every 2xx is in the log exactly once, every
refusal is a 409 with the current version, the state served equals a fresh replay of
the log, and the DuckDB views equal a rebuild row for row. No answer is ever a 5xx: 40
clients on one quote once got 2 500s in ~1,600 answers (a cached quote deep-copied while
another thread fast-forwarded it).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import settings_for
from tests.load.harness import LiveServer, storm


def test_a_storm_of_conflicting_commands_loses_and_doubles_nothing(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema).model_copy(update={"pg_pool_size": 8})
    with LiveServer(settings) as server:
        report = storm(server, documents=3, clients=12, requests_each=30)
    print(report)
    assert report.problems == []
    assert report.requests == 360
    assert report.acknowledged + report.conflicts == report.requests
    assert report.conflicts > 0, "the storm never conflicted: it proves nothing"
    assert report.acknowledged > 0
    assert report.with_if_match > 0
    assert (report.lost, report.doubled) == (0, 0)
    assert report.other_statuses == {}, report.other_statuses  # no 5xx, nothing but 2xx/409


def test_forty_clients_on_one_quote_get_no_5xx_and_lose_nothing(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema).model_copy(update={"pg_pool_size": 8})
    with LiveServer(settings) as server:
        report = storm(server, documents=1, clients=40, requests_each=15, seed=11)
    print(report)
    assert report.other_statuses == {}, report.problems[:5]
    assert report.problems == []
    assert report.requests == 600
    assert report.acknowledged + report.conflicts == report.requests
    assert report.conflicts > 0
    assert report.acknowledged > 0
    assert (report.lost, report.doubled) == (0, 0)
