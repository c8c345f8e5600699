"""Totals per group over the pipeline and the quotes (V1, V2, Open-Prod's conversion rate).

Each function reads with the cursor it is given (a snapshot, for one answer), the rows
as they stand now or, with `as_of`, as they stood then (`pipeline_history`,
`quotes_history`, V9). Definitions, written down once (amounts in the base currency of
the rows, those that cannot be converted left out of the sums and counted apart):

- `forecast`: Σ weighted_base of the pipeline rows with an expected close in the months
  `from_month` to `to_month` inclusive, per month × the groups asked for (salesperson and
  zone by default; also sale_type, country, stage, kind) × base currency.
- `pipeline_totals`: per group of the pipeline rows: documents, Σ amount_base,
  Σ weighted_base, unconverted documents, per base currency.
- `quote_conversion`: over the quotes drafted in [since, until): signed = accepted or
  converted; lost = declined, expired or abandoned; open = draft or sent; rate = signed ÷
  (signed + lost) × 100, NULL while none is decided; per salesperson and overall.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.values import HUNDRED, MINOR_UNITS, round_money
from projections.schema import utc_naive
from projections.snapshot import table_at

GROUPS = ("salesperson", "zone", "country", "sale_type", "stage", "kind")
DEFAULT_FORECAST_GROUPS = ("salesperson", "zone")
_PERCENT = Decimal("0.01")


def dicts(cursor: Any) -> list[dict[str, Any]]:
    """The rows of the cursor's last query as dictionaries."""
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def in_base(amount: Any, currency: str | None) -> Decimal:
    """An amount rounded to its (base) currency's minor unit when that currency has one."""
    value = Decimal(amount)
    return round_money(value, currency) if currency in MINOR_UNITS else value


def rate(part: int, whole: int) -> Decimal | None:
    """part ÷ whole × 100 to the hundredth; NULL for an empty whole."""
    return None if whole == 0 else (Decimal(part) * HUNDRED / Decimal(whole)).quantize(_PERCENT)


def _groups(group_by: Sequence[str]) -> list[str]:
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown:
        raise ValueError(f"cannot group by {unknown}")
    return list(dict.fromkeys(group_by))


def _filters(filters: dict[str, str | None]) -> tuple[str, list[Any]]:
    clauses, params = ["TRUE"], []
    for column, value in filters.items():
        if column not in GROUPS:
            raise ValueError(f"cannot filter by {column!r}")
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), params


def forecast(
    cursor: Any,
    from_month: date,
    to_month: date,
    salesperson: str | None = None,
    zone: str | None = None,
    *,
    sale_type: str | None = None,
    country: str | None = None,
    group_by: Sequence[str] = DEFAULT_FORECAST_GROUPS,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Weighted expected revenue per month × groups (V2), from the pipeline rows."""
    groups = _groups(group_by)
    keys = "".join(f"{g}, " for g in groups)
    order = "".join(f", {g} NULLS FIRST" for g in groups)
    where, params = _filters(
        {"salesperson": salesperson, "zone": zone, "sale_type": sale_type, "country": country}
    )
    last = to_month.replace(day=1)
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    cursor.execute(
        f"""SELECT CAST(date_trunc('month', expected_close) AS DATE) AS month, {keys}
               base_currency, count(*) AS documents,
               count(*) FILTER (WHERE weighted_base IS NULL) AS unconverted,
               coalesce(sum(weighted_base), 0) AS weighted_base,
               coalesce(sum(amount_base), 0) AS amount_base
        FROM {table_at("pipeline", as_of)}
        WHERE expected_close >= ? AND expected_close < ? AND {where}
        GROUP BY ALL ORDER BY month{order}, base_currency""",
        [from_month.replace(day=1), end, *params],
    )
    rows = dicts(cursor)
    for row in rows:
        row["weighted_base"] = in_base(row["weighted_base"], row["base_currency"])
        row["amount_base"] = in_base(row["amount_base"], row["base_currency"])
    return rows


def pipeline_totals(
    cursor: Any,
    group_by: Sequence[str],
    filters: dict[str, str | None] | None = None,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """Per group of the pipeline rows: documents and amounts in the base currency (V1)."""
    groups = _groups(group_by)
    keys = "".join(f"{g}, " for g in groups)
    order = "".join(f"{g} NULLS FIRST, " for g in groups)
    where, params = _filters(filters or {})
    cursor.execute(
        f"""SELECT {keys} base_currency, count(*) AS documents,
               count(*) FILTER (WHERE amount_base IS NULL) AS unconverted,
               coalesce(sum(amount_base), 0) AS amount_base,
               coalesce(sum(weighted_base), 0) AS weighted_base
        FROM {table_at("pipeline", as_of)} WHERE {where}
        GROUP BY ALL ORDER BY {order}base_currency""",
        params,
    )
    rows = dicts(cursor)
    for row in rows:
        row["amount_base"] = in_base(row["amount_base"], row["base_currency"])
        row["weighted_base"] = in_base(row["weighted_base"], row["base_currency"])
    return rows


_SIGNED = ("accepted", "converted")
_LOST = ("declined", "expired", "abandoned")


def quote_conversion(
    cursor: Any,
    since: datetime | None = None,
    until: datetime | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """Signed quotes ÷ decided quotes, overall and per salesperson (Open-Prod)."""
    clauses, params = ["TRUE"], []
    if since is not None:
        clauses.append("drafted_at >= ?")
        params.append(utc_naive(since))
    if until is not None:
        clauses.append("drafted_at < ?")
        params.append(utc_naive(until))
    signed = ", ".join(f"'{s}'" for s in _SIGNED)
    lost = ", ".join(f"'{s}'" for s in _LOST)
    cursor.execute(
        f"""SELECT salesperson, count(*) AS quotes,
               count(*) FILTER (WHERE status IN ({signed})) AS signed,
               count(*) FILTER (WHERE status IN ({lost})) AS lost,
               count(*) FILTER (WHERE status IN ('draft', 'sent')) AS open
        FROM {table_at("quotes", as_of)} WHERE {" AND ".join(clauses)}
        GROUP BY salesperson ORDER BY salesperson NULLS FIRST""",
        params,
    )
    people = [_conversion(row) for row in dicts(cursor)]
    overall = {
        name: sum(int(p[name]) for p in people) for name in ("quotes", "signed", "lost", "open")
    }
    return {**_conversion(overall), "salespeople": people}


def _conversion(row: dict[str, Any]) -> dict[str, Any]:
    counts = {name: int(row[name]) for name in ("quotes", "signed", "lost", "open")}
    extra = {"salesperson": row["salesperson"]} if "salesperson" in row else {}
    return {**extra, **counts, "rate": rate(counts["signed"], counts["signed"] + counts["lost"])}
