"""The `notices` view: renewals coming due and warranties about to expire, open or handled.

It keeps its history (`notices_history`), so it reads as it stood at a time (V9)."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from domain.notice import Notice
from projections.base import Folded
from projections.schema import Table

TABLE = Table(
    "notices",
    [
        ("notice_id", "text"),
        ("kind", "text"),
        ("document_id", "text"),
        ("subject", "text"),
        ("due", "date"),
        ("message", "text"),
        ("status", "text"),
        ("raised_at", "timestamp"),
        ("acknowledged_by", "text"),
        ("acknowledged_at", "timestamp"),
        ("position", "int"),
    ],
)


class NoticesView:
    """One row per notice."""

    table: Table = TABLE
    key: str = "notice_id"
    document: type[Aggregate] = Notice
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        notice = folded.aggregate
        assert isinstance(notice, Notice)
        return [
            {
                "notice_id": str(notice.id),
                "kind": notice.kind,
                "document_id": str(notice.document_id),
                "subject": notice.subject,
                "due": notice.due,
                "message": notice.message,
                "status": "open" if notice.open else "acknowledged",
                "raised_at": notice.raised_at,
                "acknowledged_by": notice.acknowledged_by,
                "acknowledged_at": notice.acknowledged_at,
                "position": folded.position,
            }
        ]
