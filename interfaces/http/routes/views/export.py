"""Exports of any view over HTTP (V10): CSV, Parquet or XLSX, streamed from one snapshot.

`GET /views/<view>/export?format=…` takes the view's own filters and gives every row they
select (no page), with the columns computed at query time (validity bucket, warranty
status and days left, MRR, renewal due …), read in one snapshot whose log position is in
`X-View-Position` and in the file name. Nothing holds the whole answer in memory:

- CSV is written `CHUNK_ROWS` rows at a time from the cursor, with the values the JSON
  view shows (amounts at their currency's minor unit, instants in UTC); text that a
  spreadsheet could run as a formula starts with an apostrophe (OWASP).
- Parquet keeps the view's types: DuckDB's Arrow batches go to a Parquet writer, one row
  group each, in a spooled temporary file (on disk past `SPOOL_BYTES`), then sent in chunks.
- XLSX is an openpyxl write-only workbook (rows go to disk as written), with every text
  cell made safe (`interfaces.export.excel_cell`); Excel's limit is 1,048,575 rows, so a
  larger selection is refused at once with 422 `export-too-large` (CSV or Parquet take it).
"""

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import IO, Annotated, Any, Literal

import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse
from openpyxl import Workbook

from domain.errors import InvalidInput
from interfaces.export import excel_cell
from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import Position, ViewQuery, wait_for
from interfaces.http.security import reader
from projections.snapshot import Snapshot

Format = Literal["csv", "parquet", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK_ROWS = 2_000
PARQUET_ROWS = 65_536
SPOOL_BYTES = 8 * 1024 * 1024
SEND_BYTES = 1024 * 1024
EXCEL_MAX_ROWS = 1_048_575
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


class ExportTooLarge(InvalidInput):
    """The selection has more rows than the format can hold."""

    code = "export-too-large"


def csv_chunks(snapshot: Snapshot, query: ViewQuery, rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The query's rows as CSV (a header, then the values the JSON view shows), in chunks."""
    sql, params = query.sql()
    snapshot.execute(sql, params)
    names = [d[0] for d in snapshot.description or []]
    header = list(query.json_row(dict.fromkeys(names)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    while batch := snapshot.fetchmany(rows):
        for values in batch:
            raw = dict(zip(names, values, strict=True))
            shaped = query.json_row(raw)
            writer.writerow([_csv_cell(shaped.get(n), isinstance(raw.get(n), str)) for n in header])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _csv_cell(value: Any, text: bool) -> Any:
    """A CSV value; text a spreadsheet could read as a formula gets a leading apostrophe."""
    if isinstance(value, bool):
        return "true" if value else "false"  # as in the JSON view
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    if text and isinstance(value, str) and value.startswith(_FORMULA_LEADS):
        return "'" + value
    return value


def parquet_file(snapshot: Snapshot, query: ViewQuery, rows: int = PARQUET_ROWS) -> IO[bytes]:
    """The query's rows in a Parquet file (typed as in the view), spooled to disk when large."""
    sql, params = query.sql()
    batches = snapshot.arrow_batches(sql, params, rows)

    def write(spool: IO[bytes]) -> None:
        with pq.ParquetWriter(spool, batches.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)

    return spooled(write)


def xlsx_file(snapshot: Snapshot, query: ViewQuery, rows: int = CHUNK_ROWS) -> IO[bytes]:
    """The query's rows in a one-sheet workbook written row by row, spooled to disk."""
    count = snapshot.count(*query.sql(ordered=False))
    if count > EXCEL_MAX_ROWS:
        raise ExportTooLarge(
            f"{count} rows are more than a worksheet holds ({EXCEL_MAX_ROWS}): "
            "narrow the filters or export as csv or parquet"
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=query.name[:31])
    sql, params = query.sql()
    snapshot.execute(sql, params)
    sheet.append([d[0] for d in snapshot.description or []])
    while batch := snapshot.fetchmany(rows):
        for values in batch:
            sheet.append([excel_cell(sheet, v) for v in values])
    return spooled(book.save)


def spooled(write: Callable[[IO[bytes]], Any]) -> IO[bytes]:
    """A temporary file (in memory up to `SPOOL_BYTES`, then on disk) that `write` fills,
    rewound; the caller closes it (the response, after its last chunk)."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def file_chunks(file: IO[bytes], size: int = SEND_BYTES) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed at the end."""
    with file:
        while chunk := file.read(size):
            yield chunk


def export_chunks(snapshot: Snapshot, query: ViewQuery, format: Format) -> Iterator[bytes]:
    """The export's bytes; the file formats are built before their first byte is given."""
    if format == "csv":
        return csv_chunks(snapshot, query)
    if format == "parquet":
        return file_chunks(parquet_file(snapshot, query))
    return file_chunks(xlsx_file(snapshot, query))


def _closing(chunks: Iterator[bytes], held: AbstractContextManager[Any]) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        held.__exit__(None, None, None)


FormatQuery = Annotated[Format, Query(description="csv, parquet or xlsx")]


def export_route(
    router: APIRouter,
    path: str,
    filters: Callable[..., ViewQuery],
    roles: frozenset[str],
    what: str,
) -> None:
    """Register `GET <path>/export`: the view's rows with its own filters, as a file."""

    # Evaluated here, not postponed: FastAPI reads the closure's own `filters`.
    def export_view(
        services: ServicesDep,
        response: Response,
        query: Annotated[ViewQuery, Depends(filters)],
        format: FormatQuery = "csv",
        min_position: Position = None,
    ) -> StreamingResponse:
        wait_for(services, min_position, response)
        held = services.views.detached_snapshot()
        snapshot = held.__enter__()
        try:
            chunks = export_chunks(snapshot, query, format)
        except BaseException as error:
            held.__exit__(type(error), error, error.__traceback__)
            raise
        name = f"{query.name}-{snapshot.position}.{format}"
        headers = {
            "X-View-Position": str(snapshot.position),
            "Content-Disposition": f'attachment; filename="{name}"',
        }
        return StreamingResponse(
            _closing(chunks, held), media_type=MEDIA_TYPES[format], headers=headers
        )

    router.add_api_route(
        f"{path}/export",
        export_view,
        methods=["GET"],
        summary=f"Export {what} as CSV, Parquet or XLSX, with the view's filters (V10)",
        description=__doc__,
        dependencies=[reader(roles)],
        response_class=StreamingResponse,
        responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
        operation_id=f"export_{query_name(path)}",
    )


def query_name(path: str) -> str:
    """An operation id fragment from a route path."""
    return path.strip("/").replace("/", "_").replace("-", "_").replace("{", "").replace("}", "")
