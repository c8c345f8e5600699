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

Next year's revenue (C5) is one query over these tables and the periods billed and
suspensions of `projections.contract_revenue`, equal contract by contract to the domain's
`revenue_between(contract, today, today + 1 year)`.

Every table keeps its history (`contracts_history`, `contract_terms_history` …), so every
query reads the data as it stood at `as_of` (V9), next year's revenue included.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from application.contracts import next_period
from domain.contract import Contract, ContractLine, monthly_recurring_revenue
from domain.values import ZERO, compute_totals
from projections.base import Folded
from projections.contract_queries import (
    ContractOrder,
    contracts_sql,
    count_contracts,
    query_contracts,
    recurring_revenue,
    with_today,
)
from projections.contract_revenue import revenue_next_year
from projections.schema import Table

__all__ = [
    "CONTRACTS",
    "CONTRACT_TERMS",
    "ContractOrder",
    "ContractTermsView",
    "ContractsView",
    "contracts_sql",
    "count_contracts",
    "query_contracts",
    "recurring_revenue",
    "revenue_next_year",
    "with_today",
]

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
    history: bool = True

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
    history: bool = True

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
