"""What the quarter-of-billing story needs besides its own steps: answers checked on the
way, the scheduled jobs run as the scheduler runs them, and the FEC file read back."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from application.fec import FEC_COLUMNS
from interfaces.scheduler import run_due_jobs
from tests.api.support import log_position

D = Decimal


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    """The JSON body of an answer of this status."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def view(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    """A view once it has read every command recorded so far."""
    params.setdefault("min_position", log_position(client))
    return ok(client.get(f"/views/{path}", params=params))


def run_jobs(client: TestClient, now: datetime) -> dict[str, int]:
    """Every scheduled job once, as the scheduler runs them (no route does: the CLI, the
    worker and the in-process scheduler call `run_due_jobs`); what each job did."""
    services = client.app.state.services  # type: ignore[attr-defined]
    return {r.job: r.done for r in run_due_jobs(services.app, services.views, now)}


def amount(text: str) -> Decimal:
    """An FEC amount: a decimal comma."""
    return D(text.replace(",", "."))


def fec_records(text: str) -> list[dict[str, str]]:
    """The FEC file's lines as records of its 18 columns (tab separated, CRLF)."""
    lines = text.split("\r\n")
    assert lines.pop() == ""
    header, *rows = [line.split("\t") for line in lines]
    assert header == list(FEC_COLUMNS)
    return [dict(zip(FEC_COLUMNS, row, strict=True)) for row in rows]


def per_account(records: list[dict[str, str]]) -> dict[str, tuple[Decimal, Decimal]]:
    """(debit, credit) summed per account."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for r in records:
        debit, credit = sums.get(r["CompteNum"], (D(0), D(0)))
        sums[r["CompteNum"]] = (debit + amount(r["Debit"]), credit + amount(r["Credit"]))
    return sums


def entries(records: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """The records grouped by entry number, in file order."""
    by_entry: dict[str, list[dict[str, str]]] = {}
    for record in records:
        by_entry.setdefault(record["EcritureNum"], []).append(record)
    return by_entry
