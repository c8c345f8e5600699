"""Exports of the views over HTTP (V10): CSV, Parquet and XLSX with the view's filters and
its columns computed at query time, streamed from one snapshot; a large export in bounded
memory; formulas neutralized; roles as for reading the view."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine
from domain.periods import Frequency
from domain.warranty import WarrantyKind
from interfaces.http.routes.views import ViewQuery
from interfaces.http.routes.views import export as export_module
from interfaces.http.routes.views.export import csv_chunks, parquet_file
from projections.quotes import TABLE as QUOTES
from projections.snapshot import read_snapshot
from tests.api.support import as_role, assert_problem, log_position

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # the client's frozen clock: today is 2 Nov
ROWS = 200_000


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx() -> CommandContext:
    return CommandContext(actor="carol", at=AT)


def export(client: TestClient, path: str, format: str, **params: Any) -> bytes:
    params = {"format": format, "min_position": comptoir(client).log_position(), **params}
    response = client.get(f"{path}/export", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(export_module.MEDIA_TYPES[format][:20])
    position = response.headers["X-View-Position"]
    assert f"-{position}.{format}" in response.headers["content-disposition"]
    content: bytes = response.content
    return content


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def quotes_table(path: Path) -> duckdb.DuckDBPyConnection:
    """A read model with 200,000 quotes generated straight into DuckDB."""
    con = duckdb.connect(str(path))
    con.execute(QUOTES.ddl()[0])
    con.execute(
        "INSERT INTO quotes SELECT 'q' || lpad(range::VARCHAR, 7, '0'), 'sent', NULL, "
        "'Prospect ' || range, CASE WHEN range % 1000 = 0 THEN '=cmd()' ELSE 'Title' END, "
        "'alice', 'EUR', DATE '2026-12-01', 1, 2, 100.5, 20.1, 120.6, "
        "TIMESTAMP '2026-11-02 09:30:00', TIMESTAMP '2026-11-02 09:30:00', 1, range "
        f"FROM range({ROWS})"
    )
    con.execute("CREATE TABLE projection_tracking (name VARCHAR, position BIGINT)")
    con.execute("INSERT INTO projection_tracking VALUES ('views', 4242)")
    return con


def streamed(con: duckdb.DuckDBPyConnection, rows: int) -> tuple[int, list[int], int]:
    """CSV-export the first `rows` quotes and read them back as they come: the rows read,
    the chunks' sizes and the peak of Python memory while streaming."""
    query = ViewQuery("quotes", "quotes", [("position < ?", rows)], "quote_id")
    sizes: list[int] = []

    def lines(chunks: Iterator[bytes]) -> Iterator[str]:
        for chunk in chunks:  # each chunk ends at the end of a row
            sizes.append(len(chunk))
            yield from chunk.decode().splitlines(keepends=True)

    read = 0
    tracemalloc.start()
    try:
        with read_snapshot(con.cursor()) as snapshot:
            assert snapshot.position == 4242
            for row in csv.DictReader(lines(csv_chunks(snapshot, query))):
                read += 1
                if read == 1:
                    assert (row["quote_id"], row["total_gross"]) == ("q0000000", "120.60")
                    assert row["title"] == "'=cmd()"  # a formula, neutralized
                    assert row["valid_until"] == "2026-12-01"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return read, sizes, peak


def test_a_large_csv_export_streams_in_chunks_with_bounded_memory(tmp_path: Path) -> None:
    con = quotes_table(tmp_path / "big.duckdb")
    try:
        small = streamed(con, ROWS // 10)
        rows, sizes, peak = streamed(con, ROWS)
    finally:
        con.close()
    assert rows == ROWS
    assert len(sizes) >= ROWS // export_module.CHUNK_ROWS
    assert sum(sizes) > 20_000_000  # the whole answer, never held at once:
    assert max(sizes) < 1_000_000  # one chunk of 2,000 rows
    # ten times the rows, not ten times the memory: the peak is one chunk's
    assert peak < 1.5 * small[2] + 1_000_000, (peak, small[2])
    assert peak < 8_000_000, f"peak {peak} bytes while streaming {sum(sizes)} bytes"


def test_a_large_parquet_export_is_written_batch_by_batch_and_reads_back(
    tmp_path: Path,
) -> None:
    con = quotes_table(tmp_path / "big.duckdb")
    query = ViewQuery("quotes", "quotes", [], "quote_id")
    with read_snapshot(con.cursor()) as snapshot, parquet_file(snapshot, query) as file:
        parquet = pq.ParquetFile(file)
        assert parquet.metadata.num_rows == ROWS
        assert parquet.metadata.num_row_groups == -(-ROWS // export_module.PARQUET_ROWS)
        first = parquet.read_row_group(0, columns=["quote_id", "total_gross"]).to_pylist()[0]
    assert first == {"quote_id": "q0000000", "total_gross": Decimal("120.6000")}
    con.close()


def fleet(client: TestClient) -> dict[str, str]:
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    ids = {"martin": str(martin)}
    for name, end in (("soon", date(2026, 11, 12)), ("far", date(2028, 1, 1))):
        asset = app.assets.register(
            ctx(), customer_id=martin, product_ref="OVEN", description="=1+1", site="Lyon"
        ).aggregate_id
        app.assets.set_warranty(
            ctx(), asset, kind=WarrantyKind.CUSTOMER, start=date(2025, 1, 1), end=end
        )
        ids[name] = str(asset)
    line = ContractLine("Maintenance", Decimal(1), Decimal("100.00"), Decimal(20))
    ids["contract"] = str(
        app.contracts.sign(
            ctx(),
            customer_id=martin,
            currency="EUR",
            lines=[line],
            frequency=Frequency.MONTH,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
        ).aggregate_id
    )
    return ids


def test_warranty_exports_carry_status_and_days_left_in_each_format(client: TestClient) -> None:
    ids = fleet(client)
    rows = csv_rows(export(client, "/views/warranty", "csv", status="expiring_soon"))
    assert [(r["asset_id"], r["status"], r["days_remaining"]) for r in rows] == [
        (ids["soon"], "expiring_soon", "10")
    ]
    assert rows[0]["description"] == "'=1+1"
    later = csv_rows(export(client, "/views/warranty", "csv", today="2027-01-01"))
    assert {r["asset_id"]: r["status"] for r in later} == {
        ids["soon"]: "expired",
        ids["far"]: "active",
    }
    table = pq.read_table(io.BytesIO(export(client, "/views/warranty", "parquet")))
    assert sorted(table.column("days_remaining").to_pylist()) == [10, 425]
    assert table.column("end_date").type == "date32[day]"
    book = load_workbook(io.BytesIO(export(client, "/views/warranty", "xlsx")), read_only=False)
    sheet = book.active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[0]
    assert len(values) == 3
    assert "status" in header
    assert "days_remaining" in header
    description = sheet.cell(row=2, column=header.index("description") + 1)
    assert (description.value, description.data_type, description.quotePrefix) == (
        "=1+1",
        "s",
        True,
    )


def test_contract_exports_carry_mrr_and_renewal_due(client: TestClient) -> None:
    ids = fleet(client)
    (row,) = csv_rows(export(client, "/views/contracts", "csv", renewals_within_days=29))
    assert (row["contract_id"], row["mrr"], row["renewal_due"]) == (
        ids["contract"],
        "100.00",
        "false",
    )
    (due,) = csv_rows(export(client, "/views/contracts", "csv", today="2026-12-01"))
    assert (due["renewal_due"], due["days_to_renewal"]) == ("true", "0")
    assert csv_rows(export(client, "/views/contracts", "csv", status="terminated")) == []


def test_a_validity_bucket_exports_its_quotes_with_days_left(client: TestClient) -> None:
    app = comptoir(client)
    quote = app.quotes.draft(ctx(), currency="EUR", prospect="Martin", title="Ovens")
    rows = csv_rows(export(client, "/views/quote-validity/pending", "csv"))
    assert [(r["quote_id"], r["bucket"]) for r in rows] == [(str(quote.aggregate_id), "pending")]
    assert csv_rows(export(client, "/views/quote-validity/signed", "csv")) == []


def test_exports_keep_the_views_roles_and_refuse_what_a_sheet_cannot_hold(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet(client)
    refused = client.get("/views/audit/export", params={"format": "csv"})
    assert_problem(refused, 403, "forbidden")
    auditor = as_role(client, "audrey", "auditor")
    allowed = client.get("/views/audit/export", params={"format": "csv"}, headers=auditor)
    assert allowed.status_code == 200
    assert csv_rows(allowed.content)
    bad = client.get("/views/warranty/export", params={"format": "ods"})
    assert_problem(bad, 422, "invalid-request")
    monkeypatch.setattr(export_module, "EXCEL_MAX_ROWS", 1)
    caught_up = {"format": "xlsx", "min_position": log_position(client)}  # both warranties
    too_many = client.get("/views/warranty/export", params=caught_up)
    body = assert_problem(too_many, 422, "export-too-large")
    assert "csv or parquet" in body["detail"]


def test_every_list_view_has_an_export_with_its_filters(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for view in (
        "pipeline",
        "quotes",
        "orders",
        "orders/{order_id}/lines",
        "contracts",
        "warranty",
        "service-cases",
        "notices",
        "affair-entries",
        "budget-vs-actual",
        "quote-validity/{bucket}",
        "audit",
    ):
        listed = {p["name"] for p in paths[f"/views/{view}"]["get"]["parameters"]}
        exported = {p["name"] for p in paths[f"/views/{view}/export"]["get"]["parameters"]}
        assert exported == (listed - {"limit", "offset"}) | {"format"}, view
