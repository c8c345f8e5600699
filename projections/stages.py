"""The `stage_history` view, and the pipeline's analysis queries (V2, V3, V9).

`stage_history` has one row per affair per stage entry (the affair's `stage_history`):
each entry lasts until the next one is entered; the current one has no `left_at` and no
`seconds_in_stage`, so nothing here depends on "now". Affair-level columns (outcome,
salesperson, zone, amounts, ladder) are repeated on each of the affair's rows.

`stage_history_history` keeps every state of those rows, so the KPIs read as they stood
at a time (V9). Query definitions, written down once (amounts in the reporting currency
the caller names, rows in another base currency or that cannot be converted left out of
sums and averages; `forecast` is in `projections.pipeline_reports`):

- `kpis`: win rate = won ÷ (won + lost) × 100 over affairs whose outcome was reached in
  [since, until); average deal size = mean amount_base of those won; conversion of
  stage S = affairs that reached the stage after S ÷ affairs that reached S, "reached"
  meaning the history holds S or a stage ranked after it (as
  `domain.stages.conversion_rates`), over affairs opened in [since, until); average
  time in stage = mean, over affairs, of the seconds an affair spent in a stage it has
  left (stays entered in [since, until), repeated stays adding up), in days.
- `forecast_accuracy`: forecast = Σ weighted_base of the affairs' `pipeline_history`
  rows as they stood at `at` with an expected close in [period_start, period_end);
  won = Σ amount_base of the affairs won (entered their won stage) in that period;
  ratio = won ÷ forecast (NULL when nothing was forecast). Quotes are left out on both
  sides. Per salesperson (as then, for the forecast; as now, for the won) and overall.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate

from domain.affair import Affair, AffairStatus
from domain.errors import CurrencyNotConfigured
from domain.stages import LOST
from domain.values import ZERO
from projections.base import Folded
from projections.pipeline import BASE_CURRENCY
from projections.pipeline_reports import dicts, forecast, in_base, rate
from projections.schema import Table, utc_naive
from projections.snapshot import table_at
from projections.unmoved import AFFAIR_FIGURES_AND_ACTIONS

__all__ = ["TABLE", "StageHistoryView", "forecast", "forecast_accuracy", "kpis"]

TABLE = Table(
    "stage_history",
    [
        ("affair_id", "text"),
        ("entry", "int"),
        ("stage", "text"),
        ("stage_name", "text"),
        ("stage_rank", "int"),
        ("is_won_stage", "bool"),
        ("entered_at", "timestamp"),
        ("left_at", "timestamp"),
        ("seconds_in_stage", "number"),
        ("next_stage", "text"),
        ("outcome", "text"),
        ("closed_at", "timestamp"),
        ("name", "text"),
        ("salesperson", "text"),
        ("zone", "text"),
        ("country", "text"),
        ("sale_type", "text"),
        ("currency", "text"),
        ("amount", "money"),
        ("base_currency", "text"),
        ("amount_base", "money"),
        ("ladder", "text"),
        ("position", "int"),
    ],
)

_PERCENT = Decimal("0.01")
_RATIO = Decimal("0.0001")
_DAY_S = Decimal(86400)


class StageHistoryView:
    """Rows of the `stage_history` view, from each affair's stage entries."""

    table: Table = TABLE
    key: str = "affair_id"
    document: type[Aggregate] = Affair
    history: bool = True
    unmoved_by: frozenset[type] = AFFAIR_FIGURES_AND_ACTIONS

    def __init__(self, base_currency: str = BASE_CURRENCY) -> None:
        self.base_currency = base_currency

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        affair = folded.aggregate
        assert isinstance(affair, Affair)
        entries = affair.stage_history
        codes = affair.ladder.codes
        try:
            base: Decimal | None = affair.expected_amount_in(self.base_currency).amount
        except CurrencyNotConfigured:
            base = None
        status = affair.status
        closed_at = None if status == AffairStatus.OPEN else entries[-1].entered_at
        common = {
            "affair_id": str(affair.id),
            "outcome": str(status),
            "closed_at": closed_at,
            "name": affair.name,
            "salesperson": affair.salesperson,
            "zone": affair.zone,
            "country": affair.country,
            "sale_type": str(affair.sale_type),
            "currency": affair.currency,
            "amount": affair.expected_amount,
            "base_currency": self.base_currency,
            "amount_base": base,
            "ladder": json.dumps(codes),
            "position": folded.position,
        }
        rows = []
        for number, entry in enumerate(entries, start=1):
            following = entries[number] if number < len(entries) else None
            left_at = None if following is None else following.entered_at
            seconds = None
            if left_at is not None:
                seconds = Decimal(str(max((left_at - entry.entered_at).total_seconds(), 0.0)))
            on_ladder = entry.code != LOST
            rows.append(
                {
                    **common,
                    "entry": number,
                    "stage": entry.code,
                    "stage_name": affair.ladder.stage(entry.code).name if on_ladder else LOST,
                    "stage_rank": codes.index(entry.code) if on_ladder else None,
                    "is_won_stage": entry.code == affair.ladder.won,
                    "entered_at": entry.entered_at,
                    "left_at": left_at,
                    "seconds_in_stage": seconds,
                    "next_stage": None if following is None else following.code,
                }
            )
        return rows


def _instant(value: date | datetime | None) -> datetime | None:
    """A bound as a naive UTC timestamp, as views store them (a date is its midnight UTC)."""
    if value is None or isinstance(value, datetime):
        return utc_naive(value)
    return datetime.combine(value, time(), UTC).replace(tzinfo=None)


def _between(column: str, since: Any, until: Any) -> tuple[str, list[Any]]:
    clauses, params = ["TRUE"], []
    if since is not None:
        clauses.append(f"{column} >= ?")
        params.append(since)
    if until is not None:
        clauses.append(f"{column} < ?")
        params.append(until)
    return " AND ".join(clauses), params


def kpis(
    cursor: Any,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    *,
    as_of: datetime | None = None,
    base_currency: str = BASE_CURRENCY,
) -> dict[str, Any]:
    """Win rate, conversion per stage, average time in stage and deal size (V3), from the
    stage history as it stands, or as it stood at `as_of` (V9)."""
    lower, upper = _instant(since), _instant(until)
    closed, params = _between("closed_at", lower, upper)
    history = table_at("stage_history", as_of)
    cursor.execute(
        f"SELECT outcome, count(*) AS affairs, "
        f"avg(amount_base) FILTER (WHERE base_currency = ?) AS average FROM {history} "
        f"WHERE entry = 1 AND outcome IN ('won', 'lost') AND {closed} GROUP BY outcome",
        [base_currency, *params],
    )
    outcomes = {row["outcome"]: row for row in dicts(cursor)}
    won = int(outcomes.get("won", {}).get("affairs", 0))
    lost = int(outcomes.get("lost", {}).get("affairs", 0))
    average = outcomes.get("won", {}).get("average")
    return {
        "base_currency": base_currency,
        "won": won,
        "lost": lost,
        "win_rate": rate(won, won + lost),
        "average_deal_size": None if average is None else in_base(average, base_currency),
        "conversion": _conversion(cursor, lower, upper, history),
        "time_in_stage": _time_in_stage(cursor, lower, upper, history),
    }


def _conversion(
    cursor: Any, since: datetime | None, until: datetime | None, history: str
) -> list[dict[str, Any]]:
    opened, params = _between("opened_at", since, until)
    cursor.execute(
        f"SELECT * FROM (SELECT affair_id, any_value(ladder) AS ladder, "
        f"max(stage_rank) AS top, min(entered_at) AS opened_at FROM {history} "
        f"GROUP BY affair_id) WHERE {opened}",
        params,
    )
    reached: dict[str, int] = defaultdict(int)
    following: dict[str, str] = {}
    for row in dicts(cursor):
        codes: list[str] = json.loads(row["ladder"])
        for rank, code in enumerate(codes[:-1]):
            following.setdefault(code, codes[rank + 1])
        for code in codes[: int(row["top"]) + 1]:
            reached[code] += 1
    return [
        {
            "stage": code,
            "next_stage": nxt,
            "reached": reached[code],
            "converted": reached[nxt],
            "rate": rate(reached[nxt], reached[code]),
        }
        for code, nxt in following.items()
    ]


def _time_in_stage(
    cursor: Any, since: datetime | None, until: datetime | None, history: str
) -> list[dict[str, Any]]:
    entered, params = _between("entered_at", since, until)
    cursor.execute(
        f"SELECT stage, count(*) AS affairs, avg(seconds) AS seconds FROM ("
        f"  SELECT affair_id, stage, min(stage_rank) AS stage_rank,"
        f"  sum(seconds_in_stage) AS seconds FROM {history}"
        f"  WHERE seconds_in_stage IS NOT NULL AND stage_rank IS NOT NULL AND {entered}"
        f"  GROUP BY affair_id, stage"
        f") GROUP BY stage ORDER BY min(stage_rank), stage",
        params,
    )
    return [
        {
            "stage": row["stage"],
            "affairs": int(row["affairs"]),
            "average_days": (Decimal(row["seconds"]) / _DAY_S).quantize(_PERCENT),
        }
        for row in dicts(cursor)
    ]


def forecast_accuracy(
    cursor: Any,
    at: datetime,
    period_start: date,
    period_end: date,
    base_currency: str = BASE_CURRENCY,
) -> dict[str, Any]:
    """What the pipeline forecast at `at` for a period versus what was won in it (V9)."""
    instant = utc_naive(at)
    cursor.execute(
        "SELECT salesperson, coalesce(sum(weighted_base), 0) AS amount FROM pipeline_history "
        "WHERE kind = 'affair' AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) "
        "AND expected_close >= ? AND expected_close < ? AND base_currency = ? "
        "GROUP BY salesperson",
        [instant, instant, period_start, period_end, base_currency],
    )
    forecast_by = {row["salesperson"]: Decimal(row["amount"]) for row in dicts(cursor)}
    cursor.execute(
        "SELECT salesperson, coalesce(sum(amount_base), 0) AS amount FROM stage_history "
        "WHERE is_won_stage AND left_at IS NULL AND outcome = 'won' "
        "AND entered_at >= ? AND entered_at < ? AND base_currency = ? GROUP BY salesperson",
        [_instant(period_start), _instant(period_end), base_currency],
    )
    won_by = {row["salesperson"]: Decimal(row["amount"]) for row in dicts(cursor)}
    people = sorted(set(forecast_by) | set(won_by))
    rows = [_accuracy(forecast_by.get(p, ZERO), won_by.get(p, ZERO), base_currency) for p in people]
    total = (sum(forecast_by.values(), ZERO), sum(won_by.values(), ZERO))
    overall = _accuracy(*total, base_currency)
    return {
        "base_currency": base_currency,
        "at": at,
        "period_start": period_start,
        "period_end": period_end,
        **overall,
        "salespeople": [{"salesperson": p, **r} for p, r in zip(people, rows, strict=True)],
    }


def _accuracy(forecast: Decimal, won: Decimal, currency: str) -> dict[str, Any]:
    ratio = None if forecast == ZERO else (won / forecast).quantize(_RATIO)
    return {"forecast": in_base(forecast, currency), "won": in_base(won, currency), "ratio": ratio}
