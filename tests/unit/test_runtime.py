"""A long-running process raises the garbage collector's thresholds once it starts."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from interfaces.asgi import create_app_from_env
from interfaces.runtime import GC_THRESHOLDS, tune_runtime


@pytest.fixture(autouse=True)
def thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_tuning_sets_the_thresholds_and_can_run_twice() -> None:
    gc.set_threshold(700, 10, 10)
    tune_runtime()
    tune_runtime()
    assert gc.get_threshold() == GC_THRESHOLDS


def test_each_uvicorn_worker_process_tunes_its_runtime(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gc.set_threshold(700, 10, 10)
    monkeypatch.setenv("COMPTOIR_EVENT_STORE", "memory")
    monkeypatch.setenv("COMPTOIR_DUCKDB_PATH", f"{tmp_path}/views.duckdb")
    create_app_from_env()
    assert gc.get_threshold() == GC_THRESHOLDS
