"""The quote dashboard by validity bucket (V4, Q5), computed at query time.

No table of its own: the `quotes` view stores each quote's status and `valid_until`,
and the bucket of a given `today` is `domain.quote_policy.validity_bucket`, written
here in SQL: accepted or converted → signed; draft → pending; expired → expired; sent →
expired once `valid_until` has passed, expires_soon when fewer than `soon_days` days
are left, expires_later otherwise (and when it has no validity date); declined and
abandoned quotes are in no bucket. With `as_of`, the quotes are those of
`quotes_history` as they stood then (V9).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from domain.quote_policy import ValidityBucket
from projections.snapshot import table_at

BUCKETS: tuple[str, ...] = tuple(str(b) for b in ValidityBucket)

_BUCKET_SQL = """
    CASE
        WHEN status IN ('accepted', 'converted') THEN 'signed'
        WHEN status = 'draft' THEN 'pending'
        WHEN status = 'expired' THEN 'expired'
        WHEN status <> 'sent' THEN NULL
        WHEN valid_until IS NULL THEN 'expires_later'
        WHEN date_diff('day', $today, valid_until) < 0 THEN 'expired'
        WHEN date_diff('day', $today, valid_until) < $soon THEN 'expires_soon'
        ELSE 'expires_later'
    END
"""


def bucketed(as_of: datetime | None = None) -> str:
    """Every quote with its bucket and days left on $today (as they stood at `as_of`)."""
    return f"""
    SELECT *, {_BUCKET_SQL} AS bucket,
        date_diff('day', $today, valid_until) AS days_left
    FROM {table_at("quotes", as_of)}
"""


def query_validity(
    cursor: Any, today: date, soon_days: int = 10, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """Every bucket in order, with its quote count and gross total per currency."""
    found = cursor.execute(
        f"SELECT bucket, currency, count(*), sum(total_gross) FROM ({bucketed(as_of)}) "
        "WHERE bucket IS NOT NULL GROUP BY bucket, currency",
        {"today": today, "soon": soon_days},
    ).fetchall()
    buckets: dict[str, dict[str, Any]] = {
        b: {"bucket": b, "count": 0, "total_gross": {}} for b in BUCKETS
    }
    for bucket, currency, count, total in found:
        buckets[bucket]["count"] += int(count)
        buckets[bucket]["total_gross"][currency] = Decimal(total)
    return list(buckets.values())


def query_validity_list(
    cursor: Any,
    today: date,
    soon_days: int,
    bucket: str,
    limit: int = 100,
    offset: int = 0,
    as_of: datetime | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """The quotes in one bucket as of `today`, soonest validity date first; and their count."""
    params: dict[str, Any] = {"today": today, "soon": soon_days, "bucket": bucket}
    where = f"FROM ({bucketed(as_of)}) WHERE bucket = $bucket"
    total_row = cursor.execute(f"SELECT count(*) {where}", params).fetchone()
    cursor.execute(
        f"SELECT * {where} ORDER BY valid_until NULLS LAST, quote_id LIMIT $limit OFFSET $offset",
        {**params, "limit": limit, "offset": offset},
    )
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return (0 if total_row is None else int(total_row[0])), rows
