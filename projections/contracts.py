"""The `contracts` and `contract_terms` views (V7, C1–C5).

`contracts` has one row per contract: its term, notice, billing progress and the next
billing date (the first period not billed that the contract will still bill, found with
the domain's period functions: it does not depend on the day asked about). Columns
`start` and `end` are named `start_date` and `end_date` (END is an SQL keyword);
`last_day` is the last day it runs, from its end and any termination.

`contract_terms` has one row per stretch of time with the same lines in force: from the
start and from each amendment's effective date, until the next one (`effective_to`
exclusive, NULL when open), with the net per period and the monthly recurring revenue
(`domain.contract.monthly_recurring_revenue`) of those lines. The recurring revenue "now"
is then a query for any `today`: the term in force that day, of the contracts running
that day and not suspended (the current status: a suspension's past is not stored here).

Next year's revenue (C5) is the domain's own `revenue_between(contract, today, today + 1
year)`, computed in Python from the contracts' states that the projector keeps in the
`documents` table: it respects billed periods, amendments, terms, terminations and
suspensions exactly, with no second copy of those rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import Transcoder
from eventsourcing.utils import get_topic

from application.contracts import next_period
from domain.contract import Contract, ContractLine, monthly_recurring_revenue, revenue_between
from domain.periods import add_months
from domain.values import ZERO, compute_totals
from projections.base import Folded
from projections.schema import Table

CONTRACTS = Table(
    "contracts",
    [
        ("contract_id", "text"),
        ("customer_id", "text"),
        ("kind", "text"),
        ("status", "text"),
        ("frequency", "text"),
        ("currency", "text"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("last_day", "date"),
        ("terminated_on", "date"),
        ("notice_days", "int"),
        ("renewal_date", "date"),
        ("covered_assets", "int"),
        ("amendments", "int"),
        ("renewals", "int"),
        ("billed_periods", "int"),
        ("billed_net", "money"),
        ("last_billed_index", "int"),
        ("last_billed_start", "date"),
        ("last_billed_at", "timestamp"),
        ("next_period_index", "int"),
        ("next_billing_date", "date"),
        ("next_period_net", "money"),
        ("updated_at", "timestamp"),
        ("version", "int"),
        ("position", "int"),
    ],
)

CONTRACT_TERMS = Table(
    "contract_terms",
    [
        ("contract_id", "text"),
        ("currency", "text"),
        ("frequency", "text"),
        ("effective_from", "date"),
        ("effective_to", "date"),
        ("period_net", "money"),
        ("mrr", "money"),
    ],
)


def _net(lines: list[ContractLine], contract: Contract) -> Decimal:
    return compute_totals((line.priced() for line in lines), contract.currency).net


class ContractsView:
    """One row per contract: term, renewal date, billing progress, next billing date."""

    table: Table = CONTRACTS
    key: str = "contract_id"
    document: type[Aggregate] = Contract
    history: bool = False

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        contract = folded.aggregate
        assert isinstance(contract, Contract)
        billed = sorted(contract.billed.values(), key=lambda b: b.period_index)
        last = billed[-1] if billed else None
        following = next_period(contract)
        renewal = None if contract.end is None else contract.end - timedelta(contract.notice_days)
        return [
            {
                "contract_id": str(contract.id),
                "customer_id": str(contract.customer_id),
                "kind": str(contract.kind),
                "status": str(contract.status),
                "frequency": str(contract.frequency),
                "currency": contract.currency,
                "start_date": contract.start,
                "end_date": contract.end,
                "last_day": contract.last_day,
                "terminated_on": contract.terminated_on,
                "notice_days": contract.notice_days,
                "renewal_date": renewal,
                "covered_assets": len(contract.covered_asset_ids),
                "amendments": len(contract.amendments),
                "renewals": len(contract.renewals),
                "billed_periods": len(billed),
                "billed_net": sum((b.net for b in billed), ZERO),
                "last_billed_index": None if last is None else last.period_index,
                "last_billed_start": None if last is None else last.period_start,
                "last_billed_at": None if last is None else last.billed_at,
                "next_period_index": None if following is None else following.period_index,
                "next_billing_date": None if following is None else following.period_start,
                "next_period_net": None if following is None else _net(following.lines, contract),
                "updated_at": contract.modified_on,
                "version": contract.version,
                "position": folded.position,
            }
        ]


class ContractTermsView:
    """One row per stretch of time with the same lines in force, with its MRR."""

    table: Table = CONTRACT_TERMS
    key: str = "contract_id"
    document: type[Aggregate] = Contract
    history: bool = False

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        contract = folded.aggregate
        assert isinstance(contract, Contract)
        changes = sorted({contract.start, *(a.effective for a in contract.amendments)})
        rows = []
        for index, day in enumerate(changes):
            lines = contract.lines_at(day)
            rows.append(
                {
                    "contract_id": str(contract.id),
                    "currency": contract.currency,
                    "frequency": str(contract.frequency),
                    "effective_from": day,
                    "effective_to": changes[index + 1] if index + 1 < len(changes) else None,
                    "period_net": _net(lines, contract),
                    "mrr": monthly_recurring_revenue(lines, contract.frequency, contract.currency),
                }
            )
        return rows


# ---- queries --------------------------------------------------------------------------

# The contracts running on $today and billing (not suspended), with the term in force.
_IN_FORCE = """
    SELECT c.contract_id, c.currency, t.mrr
    FROM contracts AS c
    JOIN contract_terms AS t
      ON t.contract_id = c.contract_id
     AND t.effective_from <= $today
     AND (t.effective_to IS NULL OR $today < t.effective_to)
    WHERE c.start_date <= $today
      AND (c.last_day IS NULL OR $today <= c.last_day)
      AND c.status <> 'suspended'
"""

_WITH_TODAY = f"""
    SELECT c.*,
        coalesce(f.mrr, 0) AS mrr,
        (c.renewal_date IS NOT NULL AND c.status <> 'terminated'
            AND $today >= c.renewal_date) AS renewal_due,
        date_diff('day', $today, c.renewal_date) AS days_to_renewal
    FROM contracts AS c
    LEFT JOIN ({_IN_FORCE}) AS f ON f.contract_id = c.contract_id
"""

ContractOrder = ("renewal_date", "next_billing_date", "start_date", "mrr", "status")


def _contracts_sql(
    today: date,
    renewals_within_days: int | None,
    status: str | None,
    customer_id: str | None,
) -> tuple[str, dict[str, Any]]:
    clauses = ["TRUE"]
    params: dict[str, Any] = {"today": today}
    if renewals_within_days is not None:
        # `renewal_due` as it will be in N days: Contract.renewal_due(today + N).
        clauses.append(
            "renewal_date IS NOT NULL AND status <> 'terminated' AND renewal_date <= $horizon"
        )
        params["horizon"] = today + timedelta(days=renewals_within_days)
    if status is not None:
        clauses.append("status = $status")
        params["status"] = status
    if customer_id is not None:
        clauses.append("customer_id = $customer_id")
        params["customer_id"] = customer_id
    return f"SELECT * FROM ({_WITH_TODAY}) WHERE {' AND '.join(clauses)}", params


def query_contracts(
    cursor: Any,
    today: date,
    renewals_within_days: int | None = None,
    status: str | None = None,
    customer_id: str | None = None,
    *,
    order_by: str = "renewal_date",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Contracts with their MRR, `renewal_due` and days to renewal as of `today`."""
    if order_by not in ContractOrder:
        raise ValueError(f"cannot sort contracts by {order_by!r}")
    sql, params = _contracts_sql(today, renewals_within_days, status, customer_id)
    direction = "DESC" if descending else "ASC"
    sql += f" ORDER BY {order_by} {direction} NULLS LAST, contract_id"
    if limit is not None:
        sql += " LIMIT $limit OFFSET $offset"
        params.update(limit=limit, offset=offset)
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def count_contracts(
    cursor: Any,
    today: date,
    renewals_within_days: int | None = None,
    status: str | None = None,
    customer_id: str | None = None,
) -> int:
    """How many rows `query_contracts` gives without a limit."""
    sql, params = _contracts_sql(today, renewals_within_days, status, customer_id)
    row = cursor.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
    return 0 if row is None else int(row[0])


def recurring_revenue(cursor: Any, today: date) -> dict[str, dict[str, Any]]:
    """Per currency: MRR and ARR (12 × MRR) of the contracts in force on `today`."""
    found = cursor.execute(
        f"SELECT currency, count(*), sum(mrr) FROM ({_IN_FORCE}) GROUP BY currency",
        {"today": today},
    ).fetchall()
    return {
        currency: {"contracts": int(count), "mrr": Decimal(mrr), "arr": Decimal(mrr) * 12}
        for currency, count, mrr in found
    }


def contracts_of(cursor: Any, transcoder: Transcoder) -> Iterator[Contract]:
    """Every contract as the projector last folded it (the `documents` table)."""
    found = cursor.execute(
        "SELECT document_id, version, topic, state FROM documents WHERE topic = ?",
        [get_topic(Contract)],
    ).fetchall()
    for document_id, version, topic, state in found:
        snapshot = Snapshot(
            originator_id=UUID(document_id),
            originator_version=version,
            timestamp=Snapshot.create_timestamp(),
            topic=topic,
            state=transcoder.decode(state),
        )
        contract = snapshot.mutate(None)
        assert isinstance(contract, Contract)
        yield contract


def revenue_next_year(cursor: Any, today: date, transcoder: Transcoder) -> dict[str, Decimal]:
    """Per currency: net of the periods starting in [today, today + 1 year) (C5)."""
    until = add_months(today, 12)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for contract in contracts_of(cursor, transcoder):
        totals[contract.currency] += revenue_between(contract, today, until)
    return dict(totals)
