"""The audit log across documents (H3): `GET /audit/events`.

The same handler as `GET /views/audit` (one query, in `routes/views/audit.py`), under the
resource name issue 5 asks for: filters by actor, document type and id, event type and a
time range (`since` inclusive, `until` exclusive), `limit`/`offset` paging in log order,
and `min_position` to read one's own writes.
"""

from __future__ import annotations

from fastapi import APIRouter

from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.routes.views.audit import audit_view
from interfaces.http.schemas import ViewPage
from interfaces.http.security import AUDITORS, reader

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERROR_RESPONSES)

router.add_api_route(
    "/events",
    audit_view,
    methods=["GET"],
    response_model=ViewPage,
    summary="The audit log: every event with who, when and why, filtered (H3)",
    dependencies=[reader(AUDITORS)],
    name="audit_events",
)
