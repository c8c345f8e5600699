"""Reading a catalogue file (P5): products and price rules from CSV or XLSX.

An XLSX workbook has a `products` sheet, a `prices` sheet, or both; a CSV file is one
of them, named by the caller. Headers are matched without regard to case or spaces.
Every cell is checked here for its form (a number, a date, a list); what the domain
says of the values is checked when the file is applied. Errors are collected, each
with its sheet, row (as a spreadsheet numbers it, the header being row 1) and column.

products: reference, name, kind (goods|service|kit), family, unit, vat_category,
vat_rate, description, sale_units (`XBX=12; PR=2`), cost, cost_currency, cost_from,
components (`REF*2; REF2*1`), kit_pricing (kit|components).

prices (one row per quantity break): list, list_name, currency, valid_from, valid_to,
default (yes|no), rounding, groups (`resellers; vip`), customers (ids), product or
family, kind (fixed|discount|cost_markup|list_minus), min_quantity, value.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

SHEETS = ("products", "prices")
REQUIRED = {"products": ("reference", "name"), "prices": ("list", "currency", "kind", "value")}
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Row:
    """One data row: its sheet, its number, and its cells by normalised header."""

    sheet: str
    number: int
    cells: dict[str, Any]


@dataclass
class Problems:
    """Errors found so far, each naming its sheet, row and column."""

    items: list[dict[str, object]] = field(default_factory=list)

    def add(self, row: Row | None, column: str, message: str, sheet: str = "") -> None:
        self.items.append(
            {
                "sheet": row.sheet if row is not None else sheet,
                "row": None if row is None else row.number,
                "column": column,
                "message": message,
            }
        )


@dataclass(frozen=True)
class CatalogueFile:
    """A file's rows per sheet and the SHA-256 of its bytes."""

    sha256: str
    sheets: dict[str, list[Row]]


def _header(value: object) -> str:
    return "_".join(str(value or "").strip().lower().split())


def _rows(sheet: str, table: Iterator[tuple[Any, ...]], problems: Problems) -> list[Row]:
    header = next(table, None)
    if header is None:
        problems.add(None, "", "the sheet is empty", sheet)
        return []
    names = [_header(h) for h in header]
    missing = [name for name in REQUIRED[sheet] if name not in names]
    for name in missing:
        problems.add(None, name, "this column is missing", sheet)
    rows = []
    for number, values in enumerate(table, start=2):
        if number > MAX_ROWS + 1:
            problems.add(None, "", f"at most {MAX_ROWS} rows per sheet", sheet)
            break
        cells = {n: v for n, v in zip(names, values, strict=False) if n and _blank(v) is False}
        if cells:
            rows.append(Row(sheet, number, cells))
    return rows


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_catalogue(
    data: bytes, filename: str, sheet: str | None, problems: Problems
) -> CatalogueFile:
    """The rows of an XLSX workbook (by its name or its bytes) or of one CSV sheet."""
    digest = hashlib.sha256(data).hexdigest()
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return CatalogueFile(digest, _read_xlsx(data, problems))
    if sheet not in SHEETS:
        problems.add(None, "", "a CSV file is one sheet: say which (products or prices)", "")
        return CatalogueFile(digest, {})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(None, "", "a CSV file must be UTF-8 text", sheet)
        return CatalogueFile(digest, {})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = _rows(sheet, (tuple(r) for r in reader), problems)
    except csv.Error as error:
        problems.add(None, "", f"not a readable CSV file: {error}", sheet)
        rows = []
    return CatalogueFile(digest, {sheet: rows})


def _read_xlsx(data: bytes, problems: Problems) -> dict[str, list[Row]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        problems.add(None, "", f"not a readable XLSX workbook ({type(error).__name__})", "")
        return {}
    sheets: dict[str, list[Row]] = {}
    for worksheet in workbook.worksheets:
        name = _header(worksheet.title)
        if name in SHEETS:
            sheets[name] = _rows(name, worksheet.iter_rows(values_only=True), problems)
    workbook.close()
    if not sheets:
        problems.add(None, "", "the workbook has no sheet named products or prices", "")
    return sheets


# -- cells -----------------------------------------------------------------------------


def text(row: Row, column: str) -> str | None:
    value = row.cells.get(column)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def decimal(row: Row, column: str, problems: Problems) -> Decimal | None:
    value = row.cells.get(column)
    if value is None:
        return None
    if isinstance(value, bool):
        problems.add(row, column, f"{value!r} is not a number")
        return None
    raw = repr(value) if isinstance(value, float) else str(value).strip().replace(" ", "")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        problems.add(row, column, f"{value!r} is not a number")
        return None
    if not number.is_finite():
        problems.add(row, column, f"{value!r} is not a finite number")
        return None
    return number


def day(row: Row, column: str, problems: Problems) -> date | None:
    value = row.cells.get(column)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(row, column, f"{value!r} is not a date (YYYY-MM-DD)")
        return None


def flag(row: Row, column: str, problems: Problems) -> bool:
    value = text(row, column)
    if value is None:
        return False
    if value.lower() in {"yes", "y", "true", "1", "oui", "x"}:
        return True
    if value.lower() in {"no", "n", "false", "0", "non"}:
        return False
    problems.add(row, column, f"{value!r} is not yes or no")
    return False


def items(row: Row, column: str) -> list[str]:
    """A `;`-separated list (`|` also separates), blanks left out."""
    value = text(row, column) or ""
    return [part.strip() for part in value.replace("|", ";").split(";") if part.strip()]


def pairs(row: Row, column: str, sep: str, problems: Problems) -> list[tuple[str, Decimal]]:
    """`A=12; B=2` (sep `=`) or `REF*2; REF2` (sep `*`, 1 when no number) as pairs."""
    found = []
    for part in items(row, column):
        name, _, number = part.partition(sep)
        try:
            amount = Decimal(number.strip().replace(",", ".")) if number.strip() else Decimal(1)
        except InvalidOperation:
            problems.add(row, column, f"{part!r} is not NAME{sep}NUMBER")
            continue
        found.append((name.strip(), amount))
    return found


def uuids(row: Row, column: str, problems: Problems) -> list[UUID]:
    found = []
    for part in items(row, column):
        try:
            found.append(UUID(part))
        except ValueError:
            problems.add(row, column, f"{part!r} is not a customer id")
    return found
