"""Read models served from DuckDB, with read-your-writes through `min_position`.

Each view's routes live in a module of this package, on its own `view_router()`. Every
answer reads one snapshot (`answer`): its page, total and sub-totals see the same
batches, and its `position` (and `X-View-Position`) is the log position of that state.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

import projections
from application.numbers import money_text, number_text
from domain.errors import InvalidInput
from interfaces.http.problems import ERROR_RESPONSES, ViewNotReady
from interfaces.http.routes.params import INSTANT_RULE, Instant
from interfaces.http.schemas import ViewPage, json_safe
from interfaces.wiring import Services
from projections.schema import Table
from projections.snapshot import Snapshot, table_at


def view_router() -> APIRouter:
    """The router each view module registers its routes on."""
    return APIRouter(prefix="/views", tags=["views"], responses=ERROR_RESPONSES)


class PositionNotRecorded(InvalidInput):
    """The client waits for a log position that no command has produced."""

    code = "position-not-recorded"


Position = Annotated[
    int | None,
    Query(
        ge=0,
        le=2**62,
        description=(
            "Wait (bounded) until the view has reached this log position, as a command's "
            "`position` gave it. A position beyond the end of the log (no command produced "
            "it) is refused at once with 422 `position-not-recorded`; one in the log that "
            "the view has not reached in time is a 503 `view-not-ready` with Retry-After."
        ),
    ),
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def wait_for(services: Services, min_position: int | None, response: Response) -> int:
    """Wait (bounded) until the view has reached `min_position`; return its position."""
    views = services.views
    if min_position is not None and min_position > views.position:
        if min_position > services.app.log_position():
            raise PositionNotRecorded(f"no command has produced log position {min_position}")
        if not views.wait_for(min_position, services.settings.view_wait_timeout_s):
            raise ViewNotReady(
                f"the views are at position {views.position}, not yet at {min_position}"
            )
    response.headers["X-View-Position"] = str(views.position)
    return views.position


@contextmanager
def answer(services: Services, min_position: int | None, response: Response) -> Iterator[Snapshot]:
    """Wait (bounded) for `min_position`, then read one snapshot of the views; the
    `X-View-Position` header is the position of that snapshot."""
    wait_for(services, min_position, response)
    with services.views.snapshot() as snapshot:
        response.headers["X-View-Position"] = str(snapshot.position)
        yield snapshot


Row = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ViewQuery:
    """A view's rows as the client filtered and sorted them: one SELECT, for a page or an
    export. `source` is a table or a parenthesized query (with the columns computed for
    the day asked about); `row` makes a row JSON-ready."""

    name: str
    source: str
    where: list[tuple[str, Any]] = field(default_factory=list)
    order: str = "1"
    row: Row | None = None

    def sql(self, ordered: bool = True) -> tuple[str, list[Any]]:
        """The SELECT of every row (in order) and its parameters."""
        clauses = " AND ".join(sql for sql, _ in self.where) or "TRUE"
        params = [value for _, value in self.where]
        sql = f"SELECT * FROM {self.source} WHERE {clauses}"
        return (f"{sql} ORDER BY {self.order}" if ordered else sql), params

    def json_row(self, row: dict[str, Any]) -> dict[str, Any]:
        return self.row(row) if self.row is not None else plain(row, self.name.replace("-", "_"))


def query_page(snapshot: Snapshot, query: ViewQuery, limit: int, offset: int) -> ViewPage:
    """One page of a query's rows and their total, both read in `snapshot`."""
    total = snapshot.count(*query.sql(ordered=False))
    sql, params = query.sql()
    found = snapshot.dicts(f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset])
    return ViewPage(
        position=snapshot.position, total=total, items=[query.json_row(r) for r in found]
    )


AsOf = Annotated[
    Instant | None,
    Query(description=f"Answer as the view stood at this time (V9): {INSTANT_RULE}"),
]


def page(
    source: Services | Snapshot,
    table: str,
    where: list[tuple[str, Any]],
    order: str,
    limit: int,
    offset: int,
    position: int | None = None,
    as_of: datetime | None = None,
    row: Row | None = None,
) -> ViewPage:
    """One page of a view's rows, filtered and sorted; from its history when `as_of` is set.

    Read in `source` when it is a snapshot, else in a snapshot of its own; the page says
    that snapshot's position (`position` is kept for callers that still pass it)."""
    query = ViewQuery(table, table_at(table, as_of), list(where), order, row)
    if isinstance(source, Snapshot):
        return query_page(source, query, limit, offset)
    with source.views.snapshot() as snapshot:
        return query_page(snapshot, query, limit, offset)


def equal_to(*filters: tuple[str, Any]) -> list[tuple[str, Any]]:
    """`column = ?` conditions for the filters the client gave (those not None)."""
    return [(f"{column} = ?", value) for column, value in filters if value is not None]


def sort(order_by: str, descending: bool, tie: str, nulls_last: bool = False) -> str:
    """An ORDER BY on the client's column and direction, then on `tie` for a stable page."""
    direction = "DESC" if descending else "ASC"
    nulls = " NULLS LAST" if nulls_last else ""
    return f"{order_by} {direction}{nulls}, {tie}"


def day_of(services: Services, today: date | None, as_of: datetime | None = None) -> date:
    """The day a dated view answers for: the client's, else as_of's (the data as it stood
    then, seen that day), else the server's today."""
    if today is not None:
        return today
    return as_of.date() if as_of is not None else services.clock().date()


def rows_page(position: int, total: int, rows: list[dict[str, Any]]) -> ViewPage:
    """A page of rows a projection's own query returned, made JSON-ready."""
    return ViewPage(position=position, total=total, items=[plain(r) for r in rows])


def decimal_text(value: Decimal, currency: str | None, number: bool = False) -> str:
    """An exact decimal string in the one form of every answer (`application.numbers`):
    an amount at its currency's minor unit (more decimals only when it has them); a rate,
    percentage or quantity (`number`) without trailing zeros."""
    return number_text(value) if number else money_text(value, currency)


@cache
def column_kinds() -> dict[str, dict[str, str]]:
    """Each view table's columns and their kinds ("money", "number" …), as declared."""
    tables: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(projections.__path__):
        module = importlib.import_module(f"projections.{info.name}")
        for value in vars(module).values():
            if isinstance(value, Table):
                tables[value.name] = dict(value.columns)
    return tables


# Columns computed in a view's query (not declared in a table) that hold rates,
# percentages or quantities rather than amounts.
_NUMBER_NAME = re.compile(r"^qty_|(^|_)(rate|percent|quantity|hours|factor|probability)(_|$)")


@cache
def is_number(name: str, table: str | None = None) -> bool:
    """Whether a view column holds a rate, percentage or quantity, not an amount: as its
    table declares it, else as every table naming it declares it, else by its name."""
    kinds = column_kinds()
    if table in kinds and name in kinds[table]:
        return kinds[table][name] == "number"
    found = {columns[name] for columns in kinds.values() if name in columns}
    if found:
        return found == {"number"}
    return _NUMBER_NAME.search(name) is not None


def plain(row: dict[str, Any], table: str | None = None) -> dict[str, Any]:
    """JSON values: amounts as exact strings in the row's currency, rates and quantities
    as exact strings without trailing zeros, instants in UTC."""
    currency = row.get("currency")
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in ("valid_from", "valid_to"):
            continue
        kind = type(value)
        if kind in _AS_IS:
            out[name] = value
        elif kind is Decimal:
            out[name] = decimal_text(value, currency, is_number(name, table))
        elif kind is datetime:
            aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            out[name] = aware.isoformat()
        elif kind is date:
            out[name] = value.isoformat()
        else:  # lists, maps, UUIDs and anything rarer: the general encoder
            out[name] = json_safe(value)
    return out


# JSON scalars that need no conversion (exact types: a str enum goes to the encoder)
_AS_IS = frozenset({str, int, float, bool, type(None)})
