"""Exports for analysts (V10): a consistent DuckDB snapshot and one Parquet file per table.

The snapshot is built from the log into a file of its own, so it never touches the
file the server owns and stands at one log position; analysts open it freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from application.app import Comptoir
from projections.rebuild import rebuild, tables_of


@dataclass(frozen=True)
class Export:
    """Where an export was written and the log position it stands at."""

    snapshot: Path
    parquet: dict[str, Path]
    position: int


def export_views(app: Comptoir, target: Path) -> Export:
    """Write `comptoir-<position>.duckdb` and `parquet/<table>.parquet` into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    position = app.log_position()
    snapshot = target / f"comptoir-{position}.duckdb"
    if not snapshot.exists():
        scratch = target / f".comptoir-{position}.building"
        scratch.unlink(missing_ok=True)
        rebuild(app, scratch, until=position)
        scratch.replace(snapshot)
    parquet_dir = target / "parquet"
    parquet_dir.mkdir(exist_ok=True)
    files: dict[str, Path] = {}
    with duckdb.connect(str(snapshot), read_only=True) as con:
        for table in tables_of(con):
            if table == "documents":
                continue
            path = parquet_dir / f"{table}.parquet"
            con.execute(f"COPY {table} TO '{path}' (FORMAT parquet)")
            files[table] = path
    return Export(snapshot, files, position)
