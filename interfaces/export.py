"""Exports for analysts (V10): a consistent DuckDB snapshot, Parquet per table, Excel.

The snapshot is built from the log into a file of its own, so it never touches the
file the server owns and stands at one log position; analysts open it freely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from application.app import Comptoir
from projections.quarantine import Quarantined, quarantined_documents
from projections.rebuild import rebuild, tables_of


@dataclass(frozen=True)
class Export:
    """Where an export was written and the log position it stands at."""

    snapshot: Path
    parquet: dict[str, Path]
    position: int
    excel: Path | None = None
    quarantined: tuple[Quarantined, ...] = ()


def export_views(app: Comptoir, target: Path, *, excel: bool = False, workers: int = 1) -> Export:
    """Write `comptoir-<position>.duckdb`, `parquet/<table>.parquet` and, asked, an Excel
    workbook with one sheet per view into `target`; the snapshot is rebuilt in `workers`
    processes."""
    target.mkdir(parents=True, exist_ok=True)
    position = app.log_position()
    snapshot = target / f"comptoir-{position}.duckdb"
    if not snapshot.exists():
        scratch = target / f".comptoir-{position}.building"
        scratch.unlink(missing_ok=True)
        rebuild(app, scratch, until=position, workers=workers)
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
        workbook = (
            write_workbook(con, files, target / f"comptoir-{position}.xlsx") if excel else None
        )
        quarantined = tuple(quarantined_documents(con))
    return Export(snapshot, files, position, workbook, quarantined)


def write_workbook(con: duckdb.DuckDBPyConnection, tables: Iterable[str], path: Path) -> Path:
    """One sheet per view, streamed row by row (Excel's limit: 1,048,575 rows a sheet)."""
    book = Workbook(write_only=True)
    for table in sorted(tables):
        sheet = book.create_sheet(title=table[:31])
        cursor = con.execute(f"SELECT * FROM {table} LIMIT 1048575")
        sheet.append([excel_cell(sheet, d[0]) for d in cursor.description or []])
        while batch := cursor.fetchmany(10_000):
            for row in batch:
                sheet.append([excel_cell(sheet, v) for v in row])
    book.save(path)
    return path


def excel_value(value: Any) -> Any:
    """Excel cells take numbers, text, dates and times; anything else as text."""
    if value is None or isinstance(value, int | float | Decimal | str | date | bool):
        return value
    return str(value)


# Text Excel could read as a formula (OWASP's CSV/formula injection list) or an error.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_MAX_TEXT = 32_767


def excel_cell(sheet: Any, value: Any) -> Any:
    """A cell's value, with text made safe: never a formula, never a character that a
    worksheet cannot hold (replaced by U+FFFD), never beyond Excel's 32,767 characters.

    Text that Excel could take for a formula or an error code is written as an explicit
    string cell with Excel's quote prefix, so it stays text even when the cell is edited;
    its characters are kept as they are in the views.
    """
    value = excel_value(value)
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:_EXCEL_MAX_TEXT]
    if not text.startswith(_FORMULA_LEADS) and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
