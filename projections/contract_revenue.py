"""Next year's revenue of the contracts (C5) as one query over the views, for any day and
as of any time (V9).

The domain's `revenue_between(contract, since, until)` sums the net of the periods
starting in [since, until) and on or before the contract's last day: a billed period for
what it was billed; a period not billed that starts during a suspension for nothing; any
other for the net of the lines in force on its first day. The projector keeps what that
rule reads as rows — the contracts (start, frequency, last day), the terms in force
(`contract_terms`), the periods billed (`contract_billed_periods`) and the suspensions
(`contract_suspensions`), each with its history — and `REVENUE_SQL` applies the same rule
to them in DuckDB: the candidate periods of each contract are generated from its start
(`start + n × step`, month steps clamped to the month's last day like `add_months`), so
no contract is decoded at request time. Tests compare it with the domain, contract by
contract, over every frequency, clamped month ends, amendments, suspensions and
terminations.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.contract import Contract
from domain.periods import add_months
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import table_at

CONTRACT_BILLED_PERIODS = Table(
    "contract_billed_periods",
    [
        ("contract_id", "text"),
        ("period_index", "int"),
        ("period_start", "date"),
        ("net", "money"),
    ],
)

CONTRACT_SUSPENSIONS = Table(
    "contract_suspensions",
    [
        ("contract_id", "text"),
        ("start_date", "date"),
        ("end_date", "date"),
        ("reason", "text"),
    ],
)


class ContractBilledPeriodsView:
    """One row per period a contract has billed, with the net it was billed for."""

    table: Table = CONTRACT_BILLED_PERIODS
    key: str = "contract_id"
    document: type[Aggregate] = Contract
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        contract = folded.aggregate
        assert isinstance(contract, Contract)
        return [
            {
                "contract_id": str(contract.id),
                "period_index": billed.period_index,
                "period_start": billed.period_start,
                "net": billed.net,
            }
            for billed in sorted(contract.billed.values(), key=lambda b: b.period_index)
        ]


class ContractSuspensionsView:
    """One row per suspension of a contract: periods starting in [start, end) are skipped
    (`end_date` NULL while it lasts)."""

    table: Table = CONTRACT_SUSPENSIONS
    key: str = "contract_id"
    document: type[Aggregate] = Contract
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        contract = folded.aggregate
        assert isinstance(contract, Contract)
        return [
            {
                "contract_id": str(contract.id),
                "start_date": suspension.start,
                "end_date": suspension.end,
                "reason": suspension.reason,
            }
            for suspension in contract.suspensions
        ]


def revenue_sql(as_of: datetime | None = None) -> str:
    """Per contract, the net of its periods starting in [$since, $until) (at most a year)."""
    contracts = table_at("contracts", as_of)
    terms = table_at("contract_terms", as_of)
    billed = table_at("contract_billed_periods", as_of)
    suspensions = table_at("contract_suspensions", as_of)
    # Month steps: period n0 = (whole months from the start to $since) // step - 1 starts
    # on or before $since (the clamped start day puts it at most one period early), so
    # every period starting within a year is among the next 12 // step + 3. Day steps:
    # period (days to $since) // step starts on or before $since; a year holds 366 days.
    return f"""
    WITH running AS (
        SELECT contract_id, currency, start_date, last_day,
            CASE frequency WHEN 'day' THEN 1 WHEN 'week' THEN 7 END AS step_days,
            CASE frequency WHEN 'month' THEN 1 WHEN 'quarter' THEN 3
                WHEN 'half_year' THEN 6 WHEN 'year' THEN 12 END AS step_months
        FROM {contracts}
        WHERE start_date < $until AND (last_day IS NULL OR last_day >= $since)
    ), candidates AS (
        SELECT *,
            CASE WHEN $since <= start_date THEN 0
                WHEN step_days IS NOT NULL
                    THEN date_diff('day', start_date, $since) // step_days
                ELSE greatest(((year($since) - year(start_date)) * 12
                    + month($since) - month(start_date)) // step_months - 1, 0)
            END AS first_index,
            CASE WHEN step_days IS NOT NULL THEN 366 // step_days + 2
                ELSE 12 // step_months + 3 END AS how_many
        FROM running
    ), periods AS (
        SELECT c.contract_id, c.currency, r.n AS period_index,
            CASE WHEN c.step_days IS NOT NULL
                THEN c.start_date + CAST(r.n * c.step_days AS INTEGER)
                ELSE CAST(c.start_date + to_months(CAST(r.n * c.step_months AS INTEGER))
                    AS DATE)
            END AS period_start,
            c.last_day
        FROM candidates AS c,
            LATERAL (SELECT range AS n FROM range(c.first_index, c.first_index + c.how_many))
            AS r
    )
    SELECT p.contract_id, p.currency,
        sum(CASE
            WHEN b.net IS NOT NULL THEN b.net
            WHEN EXISTS (
                SELECT 1 FROM {suspensions} AS s
                WHERE s.contract_id = p.contract_id AND s.start_date <= p.period_start
                  AND (s.end_date IS NULL OR p.period_start < s.end_date)
            ) THEN 0
            ELSE t.period_net
        END) AS revenue
    FROM periods AS p
    LEFT JOIN {billed} AS b
      ON b.contract_id = p.contract_id AND b.period_index = p.period_index
    LEFT JOIN {terms} AS t
      ON t.contract_id = p.contract_id AND t.effective_from <= p.period_start
     AND (t.effective_to IS NULL OR p.period_start < t.effective_to)
    WHERE p.period_start >= $since AND p.period_start < $until
      AND (p.last_day IS NULL OR p.period_start <= p.last_day)
    GROUP BY p.contract_id, p.currency
"""


def revenue_by_contract(
    cursor: Any, since: date, until: date, as_of: datetime | None = None
) -> dict[str, Decimal]:
    """Per contract id: what `revenue_between(contract, since, until)` gives, for the
    contracts as they stand or as they stood at `as_of` (a window of at most a year)."""
    if until > add_months(since, 12):
        raise ValueError("the revenue query covers a window of at most a year")
    found = cursor.execute(revenue_sql(as_of), {"since": since, "until": until}).fetchall()
    return {contract_id: Decimal(revenue) for contract_id, _, revenue in found}


def revenue_next_year(
    cursor: Any, today: date, as_of: datetime | None = None
) -> dict[str, Decimal]:
    """Per currency: net of the periods starting in [today, today + 1 year) (C5)."""
    # every currency a contract is in, with nothing when none of its periods falls due
    found = cursor.execute(
        f"""SELECT c.currency, coalesce(sum(r.revenue), 0)
        FROM (SELECT DISTINCT currency FROM {table_at("contracts", as_of)}) AS c
        LEFT JOIN ({revenue_sql(as_of)}) AS r ON r.currency = c.currency
        GROUP BY c.currency""",
        {"since": today, "until": add_months(today, 12)},
    ).fetchall()
    return {currency: Decimal(total) for currency, total in found}
