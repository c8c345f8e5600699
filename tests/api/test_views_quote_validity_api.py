"""The quote dashboard by validity bucket through HTTP (V4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import Comptoir
from application.journal import CommandContext

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # the client's frozen clock: today is 2 Nov


def comptoir(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    params.setdefault("min_position", comptoir(client).log_position())
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def quote(client: TestClient, price: str, valid_until: date | None, send: bool = True) -> UUID:
    app = comptoir(client)
    ctx = CommandContext(actor="alice", at=AT)
    quote_id = app.quotes.draft(
        ctx, currency="EUR", prospect="Martin", valid_until=valid_until
    ).aggregate_id
    app.quotes.add_line(
        ctx,
        quote_id,
        description="Oven",
        quantity=Decimal(1),
        unit_price=Decimal(price),
        vat_rate=Decimal(20),
    )
    if send:
        app.quotes.send(ctx, quote_id)
    return quote_id


def test_buckets_as_of_today_and_as_of_another_day(client: TestClient) -> None:
    quote(client, "50.00", None, send=False)  # pending, 60.00
    soon = quote(client, "10.00", date(2026, 11, 7))  # 5 days left: soon, 12.00
    quote(client, "30.00", date(2026, 11, 12))  # 10 days left: later, 36.00
    body = get(client, "/views/quote-validity")
    assert (body["today"], body["soon_days"]) == ("2026-11-02", 10)
    assert body["buckets"] == [
        {"bucket": "signed", "count": 0, "total_gross": {}},
        {"bucket": "pending", "count": 1, "total_gross": {"EUR": "60.00"}},
        {"bucket": "expires_soon", "count": 1, "total_gross": {"EUR": "12.00"}},
        {"bucket": "expires_later", "count": 1, "total_gross": {"EUR": "36.00"}},
        {"bucket": "expired", "count": 0, "total_gross": {}},
    ]
    later = {
        b["bucket"]: b for b in get(client, "/views/quote-validity", today="2026-11-08")["buckets"]
    }
    assert later["expired"]["count"] == 1
    assert later["expires_soon"]["total_gross"] == {"EUR": "36.00"}
    listed = get(client, "/views/quote-validity/expires_soon")
    assert (listed["total"], [r["quote_id"] for r in listed["items"]]) == (1, [str(soon)])
    assert listed["items"][0]["bucket"] == "expires_soon"
    assert listed["items"][0]["days_left"] == 5


def test_the_list_is_paginated_and_unknown_buckets_are_refused(client: TestClient) -> None:
    first = quote(client, "10.00", date(2026, 11, 5))
    second = quote(client, "10.00", date(2026, 11, 6))
    page = get(client, "/views/quote-validity/expires_soon", limit=1, offset=1)
    assert (page["total"], [r["quote_id"] for r in page["items"]]) == (2, [str(second)])
    page = get(client, "/views/quote-validity/expires_soon", limit=1)
    assert [r["quote_id"] for r in page["items"]] == [str(first)]
    assert client.get("/views/quote-validity/someday").status_code == 422
