"""Read models served from DuckDB, with read-your-writes through `min_position`."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from domain.errors import InvalidInput
from domain.values import MINOR_UNITS, round_money
from interfaces.http.deps import ServicesDep
from interfaces.http.problems import ERROR_RESPONSES, ViewNotReady
from interfaces.http.schemas import ViewPage, json_safe
from interfaces.http.security import AUDITORS, READERS, reader
from interfaces.wiring import Services

router = APIRouter(prefix="/views", tags=["views"], responses=ERROR_RESPONSES)


class PositionNotRecorded(InvalidInput):
    """The client waits for a log position that no command has produced."""

    code = "position-not-recorded"


Position = Annotated[int | None, Query(ge=0, le=2**62, description="Wait for this log position")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def wait_for(services: Services, min_position: int | None, response: Response) -> int:
    """Wait (bounded) until the view has reached `min_position`; return its position."""
    runner = services.runner
    if min_position is not None and min_position > runner.position:
        if min_position > services.app.log_position():
            raise PositionNotRecorded(f"no command has produced log position {min_position}")
        if not runner.wait_for(min_position, services.settings.view_wait_timeout_s):
            raise ViewNotReady(
                f"the views are at position {runner.position}, not yet at {min_position}"
            )
    response.headers["X-View-Position"] = str(runner.position)
    return runner.position


def page(
    services: Services,
    table: str,
    where: list[tuple[str, Any]],
    order: str,
    limit: int,
    offset: int,
    position: int,
) -> ViewPage:
    clauses = " AND ".join(sql for sql, _ in where) or "TRUE"
    params = [value for _, value in where]
    cursor = services.store.reader()
    total_row = cursor.execute(f"SELECT count(*) FROM {table} WHERE {clauses}", params).fetchone()
    cursor.execute(
        f"SELECT * FROM {table} WHERE {clauses} ORDER BY {order} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    names = [d[0] for d in cursor.description or []]
    items = [plain(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
    total = 0 if total_row is None else int(total_row[0])
    return ViewPage(position=position, total=total, items=items)


def plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON values: amounts as strings in the row's currency, instants in UTC."""
    currency = row.get("currency")
    out: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, Decimal):
            if currency in MINOR_UNITS:
                value = round_money(value, currency)
            value = str(value)
        elif isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        out[name] = value
    encoded: dict[str, Any] = json_safe(out)
    return encoded


QuoteOrder = Literal["drafted_at", "updated_at", "total_gross", "valid_until", "status"]


@router.get("/quotes", summary="Quotes with status and totals", dependencies=[reader(READERS)])
def quotes_view(
    services: ServicesDep,
    response: Response,
    status: Annotated[str | None, Query(max_length=20)] = None,
    customer_id: Annotated[str | None, Query(max_length=40)] = None,
    salesperson: Annotated[str | None, Query(max_length=200)] = None,
    order_by: QuoteOrder = "drafted_at",
    descending: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where: list[tuple[str, Any]] = []
    if status is not None:
        where.append(("status = ?", status))
    if customer_id is not None:
        where.append(("customer_id = ?", customer_id))
    if salesperson is not None:
        where.append(("salesperson = ?", salesperson))
    order = f"{order_by} {'DESC' if descending else 'ASC'}, quote_id"
    return page(services, "quotes", where, order, limit, offset, position)


@router.get(
    "/audit",
    summary="The audit log: every event with who, when and why (H3)",
    dependencies=[reader(AUDITORS)],
)
def audit_view(
    services: ServicesDep,
    response: Response,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    document_id: Annotated[str | None, Query(max_length=40)] = None,
    document_type: Annotated[str | None, Query(max_length=40)] = None,
    event_type: Annotated[str | None, Query(max_length=80)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    position = wait_for(services, min_position, response)
    where: list[tuple[str, Any]] = []
    for column, value in (
        ("actor", actor),
        ("document_id", document_id),
        ("document_type", document_type),
        ("event_type", event_type),
    ):
        if value is not None:
            where.append((f"{column} = ?", value))
    if since is not None:
        where.append(("recorded_at >= ?", since))
    if until is not None:
        where.append(("recorded_at < ?", until))
    return page(services, "audit_log", where, "position", limit, offset, position)
