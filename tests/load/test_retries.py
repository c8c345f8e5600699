"""Thousands of retried requests with the same Idempotency-Key append nothing extra.

Each key is sent five times at once from several threads, then once more later: the
log grows by exactly one draft's events per distinct key, and every duplicate gets
the first response (replayed), also while the first races it.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import settings_for
from tests.load.harness import LiveServer, retry_storm


def test_two_thousand_retried_requests_record_each_command_once(
    pg_schema: str, tmp_path: Path
) -> None:
    settings = settings_for("postgres", tmp_path, pg_schema).model_copy(update={"pg_pool_size": 8})
    with LiveServer(settings) as server:
        report = retry_storm(server, keys=400, copies=5, threads=8)
    print(report)
    assert report.problems == []
    assert report.requests == 400 * 6
    assert report.first == 400
    assert report.first + report.replayed == report.requests
    assert report.events_added == report.events_expected
    assert (report.lost, report.doubled) == (0, 0)
