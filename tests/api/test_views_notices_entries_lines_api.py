"""Notices of every kind (dunning included), and `as_of` on the notices, the affairs'
entries and an order's lines (V9): the data as it stood, not today's data. Order lines
name their quantities `qty_net_delivered` and `qty_net_invoiced`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext
from domain.notice import NoticeKind
from domain.order import ChangeLine, NonConformity, OrderLine
from tests.api.invoicing_support import establish_company

D = Decimal
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def ctx(reason: str | None = "test") -> CommandContext:
    return CommandContext(actor="manon", at=AT, reason=reason)


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def now_once_projected(client: TestClient) -> str:
    """The present instant, once the views hold every event recorded before it."""
    get(client, "/views/notices")
    return datetime.now(UTC).isoformat()


def raise_notice(app: Comptoir, kind: NoticeKind, document: UUID) -> UUID:
    result = app.notices.raise_once(
        ctx(), kind=kind, document_id=document, subject="s", due=date(2026, 11, 9), message="m"
    )
    assert result is not None
    return result.aggregate_id


def test_notices_are_listed_by_any_kind_dunning_included(client: TestClient) -> None:
    app = comptoir(client)
    raised = {kind: raise_notice(app, kind, uuid4()) for kind in NoticeKind}
    for kind, notice in raised.items():
        (row,) = get(client, "/views/notices", kind=str(kind))["items"]
        assert (row["notice_id"], row["kind"]) == (str(notice), str(kind))
    assert get(client, "/views/notices", kind="dunning", status="acknowledged")["total"] == 0
    refused = client.get("/views/notices", params={"kind": "reminder"})
    assert refused.status_code == 422, refused.text


def test_notices_read_as_they_stood_before_being_acknowledged(client: TestClient) -> None:
    app = comptoir(client)
    before_any = now_once_projected(client)
    notice = raise_notice(app, NoticeKind.DUNNING, uuid4())
    raised = now_once_projected(client)
    app.notices.acknowledge(ctx(), notice)
    (now,) = get(client, "/views/notices", kind="dunning")["items"]
    (then,) = get(client, "/views/notices", kind="dunning", as_of=raised)["items"]
    assert (now["status"], now["acknowledged_by"]) == ("acknowledged", "manon")
    assert (then["status"], then["acknowledged_by"]) == ("open", None)
    assert get(client, "/views/notices", status="open", as_of=raised)["total"] == 1
    assert get(client, "/views/notices", as_of=before_any)["total"] == 0


def test_affair_entries_read_as_recorded_until_then(client: TestClient) -> None:
    app = comptoir(client)
    affair = app.affairs.open(
        ctx(),
        name="Audit",
        salesperson="manon",
        currency="EUR",
        expected_amount=D(5000),
        sale_type="study",
        prospect="Dupont",
    ).aggregate_id
    day = date(2026, 10, 30)
    app.affairs.log_time(ctx(), affair, employee="eve", day=day, hours=D(3), hourly_rate=D(50))
    then = now_once_projected(client)
    app.affairs.record_cost(
        ctx(), affair, category="purchases", amount=D(400), document_ref="PO-1", document_date=day
    )
    path, only = "/views/affair-entries", {"affair_id": str(affair)}
    assert [e["kind"] for e in get(client, path, **only)["items"]] == ["time", "cost"]
    (entry,) = get(client, path, **only, as_of=then)["items"]
    assert (entry["kind"], entry["employee"], entry["amount"]) == ("time", "eve", "150.00")
    assert get(client, path, kind="cost", as_of=then)["total"] == 0


def test_an_order_s_lines_read_as_they_stood_with_quantities_named_as_such(
    client: TestClient,
) -> None:
    establish_company(client)
    app = comptoir(client)
    martin = app.customers.register(ctx(), name="Martin", status="customer").aggregate_id
    lines = [OrderLine("L1", "Oven part", D(10), D("12.50"), D(20))]
    order = app.orders.create(ctx(), customer_id=martin, currency="EUR", lines=lines).aggregate_id
    app.orders.confirm(ctx(), order)
    app.orders.record_delivery(ctx(), order, {"L1": D(6)})
    app.orders.invoice(ctx(), order, {"L1": D(6)})
    then = now_once_projected(client)
    app.orders.record_return(ctx(), order, {"L1": D(2)}, NonConformity("dented"))
    app.orders.amend(ctx("two more"), order, [ChangeLine("L1", quantity=D(12))])
    path = f"/views/orders/{order}/lines"
    (now,) = get(client, path)["items"]
    (before,) = get(client, path, as_of=then)["items"]
    quantities = ("ordered", "delivered", "returned", "qty_net_delivered", "qty_net_invoiced")
    assert [D(now[q]) for q in quantities] == [12, 6, 2, 4, 6]
    assert [D(before[q]) for q in quantities] == [10, 6, 0, 6, 6]
    assert not {"net_delivered", "net_invoiced"} & set(now)
