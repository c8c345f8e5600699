"""A standalone projector process for the kill tests.

    python -m tests.fault.projector_process DUCKDB_PATH [--page-size N] [--catch-up]

Settings come from the `COMPTOIR_*` environment (the event store to follow). It folds
the log into its own DuckDB file with small pages and prints `ready P` once open, `at P`
after every committed batch, and with `--catch-up` stops at the log end with `done P`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from adapters.duckdb_store import DuckStore
from application.app import Comptoir
from interfaces.settings import Settings
from projections.runner import ProjectionRunner


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="projector_process")
    parser.add_argument("duckdb_path", type=Path)
    parser.add_argument("--page-size", type=int, default=7)
    parser.add_argument("--catch-up", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings()
    app = Comptoir(settings.eventstore_env(), policies=settings.policies())
    store = DuckStore(args.duckdb_path)
    runner = ProjectionRunner(app, store.writer(), page_size=args.page_size)
    print(f"ready {runner.position}", flush=True)
    try:
        if args.catch_up:
            runner.catch_up()
            print(f"done {runner.position}", flush=True)
            return 0
        while True:
            if runner.run_batch():
                print(f"at {runner.position}", flush=True)
            else:
                time.sleep(0.01)
    finally:
        store.close()
        app.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
