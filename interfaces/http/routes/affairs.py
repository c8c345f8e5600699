"""Affairs (A1–A3): open, edit, stages, reassignment; reads, history and diffs.

The budget and actuals (A4–A6, A9) are in `affair_costs`, progress and actions (A7, A8)
in `affair_actions`; all three routers share the `/affairs` prefix and these role aliases.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from application.affairs import BulkItemOutcome
from application.journal import CommandContext
from domain.affair import Affair
from domain.budget import BudgetCategory
from domain.quote_lines import FieldChange
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import diff_of
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES, status_of
from interfaces.http.responses import accepted, created, with_reason
from interfaces.http.results import AffairBulkItem
from interfaces.http.routes.affair_schemas import (
    AffairOpen,
    OpportunityPatch,
    Reasoned,
    Reassignment,
    Reopening,
    StageMove,
)
from interfaces.http.routes.affair_views import (
    AffairDiffView,
    AffairView,
    BaselineChangeView,
    BaselineView,
)
from interfaces.http.routes.quote_schemas import FieldChangeView
from interfaces.http.schemas import Accepted, HistoryItem
from interfaces.http.security import (
    BILLING,
    MANAGERS,
    READERS,
    SELLERS,
    command,
    reader,
)

router = APIRouter(prefix="/affairs", tags=["affairs"], responses=ERROR_RESPONSES)

# Costs, revenue and currencies come from purchase and sales documents: accountants too.
PROJECT = SELLERS | BILLING

Seller = Annotated[CommandContext, command(SELLERS)]
Manager = Annotated[CommandContext, command(MANAGERS)]
ProjectStaff = Annotated[CommandContext, command(PROJECT)]
Costing = Annotated[CommandContext, command(BILLING)]
Reader = reader(READERS)

BASE = "/affairs"


# The bulk answer's models stay here: their OpenAPI names are qualified by this module,
# as the quotes' bulk answer has models of the same names.
class BulkItemView(BaseModel):
    affair_id: UUID
    ok: bool
    version: int | None = None
    position: int | None = None
    result: AffairBulkItem | None = None
    status: int | None = None
    error: str | None = None
    detail: str | None = None

    @classmethod
    def of(cls, item: BulkItemOutcome) -> BulkItemView:
        if item.error is None:
            return cls(
                affair_id=item.affair_id,
                ok=True,
                version=item.version,
                position=item.position,
                result=AffairBulkItem.model_validate(dict(item.result)),
            )
        return cls(
            affair_id=item.affair_id,
            ok=False,
            status=status_of(item.error),
            error=item.error.code,
            detail=str(item.error),
        )


class BulkResult(BaseModel):
    """Per-affair outcomes: each one recorded whole or refused whole (a 207-style body)."""

    succeeded: int
    failed: int
    position: int | None
    items: list[BulkItemView]


# --- A1, A2 -----------------------------------------------------------------------------


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open an affair (A1)")
def open_affair(
    body: AffairOpen, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.open(
        with_reason(ctx, body),
        name=body.name,
        customer_id=body.customer_id,
        prospect=body.prospect,
        salesperson=body.salesperson or ctx.actor,
        currency=body.currency,
        expected_amount=body.expected_amount,
        expected_close=body.expected_close,
        zone=body.zone,
        country=body.country,
        sale_type=body.sale_type,
        risk=body.risk,
        competitors=body.competitors,
        start=body.start,
        end=body.end,
        alert_policy=body.alert_policy,
        stages=None if body.stages is None else [s.value_object() for s in body.stages],
    )
    return created(outcome, response, BASE)


@router.patch("/{affair_id:uuid}", summary="Update opportunity fields (A1)")
def update_opportunity(
    affair_id: UUID, body: OpportunityPatch, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.update_opportunity(
        with_reason(ctx, body), affair_id, body.changes()
    )
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/stage", summary="Move the affair to a stage of its ladder (A2)")
def move_to_stage(
    affair_id: UUID, body: StageMove, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.move_to_stage(with_reason(ctx, body), affair_id, body.stage)
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/lose", summary="Mark the affair lost, with a reason (A2)")
def lose_affair(
    affair_id: UUID, body: Reasoned, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    return accepted(services.app.affairs.lose(with_reason(ctx, body), affair_id), response, BASE)


@router.post("/{affair_id}/reopen", summary="Reopen a lost affair, with a reason (A2)")
def reopen_affair(
    affair_id: UUID, body: Reopening, ctx: Seller, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.reopen(with_reason(ctx, body), affair_id, body.stage)
    return accepted(outcome, response, BASE)


@router.post("/{affair_id}/reassign", summary="Hand the affair to another salesperson (A3)")
def reassign_affair(
    affair_id: UUID, body: Reassignment, ctx: Manager, services: ServicesDep, response: Response
) -> Accepted:
    outcome = services.app.affairs.reassign(with_reason(ctx, body), affair_id, body.salesperson)
    return accepted(outcome, response, BASE)


# --- reads ------------------------------------------------------------------------------


@router.get(
    "/{affair_id:uuid}",  # only a UUID: `/affairs/bulk-actions` is no affair
    summary="The affair with its budget versus actual: now, at a version or as of a time",
    dependencies=[Reader],
)
def get_affair(
    affair_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> AffairView:
    commands = services.app.affairs
    affair = read_document(services.app, Affair, affair_id, version, as_of, commands.get, response)
    return AffairView.of(affair, commands.weighted_amount(affair).amount)


@router.get(
    "/{affair_id}/history",
    summary="Every event of the affair with who, when and why",
    dependencies=[Reader],
)
def affair_history(affair_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, affair_id, "Affair")


# The affair's own fields a version diff compares (A1, A2, A3, A7); budget lines and
# baselines (A4) are compared on their own.
AFFAIR_FIELDS: tuple[str, ...] = (
    "name",
    "status",
    "stage",
    "probability",
    "lost_reason",
    "customer_id",
    "prospect",
    "salesperson",
    "currency",
    "expected_amount",
    "expected_close",
    "zone",
    "country",
    "sale_type",
    "risk",
    "competitors",
    "start",
    "end",
    "alert_policy",
    "progress",
)


def _changes(pairs: list[tuple[str, Any, Any]]) -> list[FieldChangeView]:
    return [FieldChangeView.of(FieldChange(n, b, a)) for n, b, a in pairs if b != a]


@router.get(
    "/{affair_id}/diff",
    summary="Opportunity fields, budget lines and baselines between two versions (A4, H2)",
    dependencies=[Reader],
)
def affair_diff(
    affair_id: UUID,
    services: ServicesDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31)],
    to: Annotated[int, Query(ge=1, le=2**31)],
) -> AffairDiffView:
    commands = services.app.affairs
    before, after = commands.get(affair_id, from_), commands.get(affair_id, to)
    fields = [(n, getattr(before, n), getattr(after, n)) for n in AFFAIR_FIELDS]
    budget = [(str(c), before.budget.get(c), after.budget.get(c)) for c in BudgetCategory]
    baselines = [
        BaselineChangeView(number=b.number, kind=kind, baseline=BaselineView.of(b))
        for kind, mine, other in (
            ("added", after.baselines, before.baselines),
            ("removed", before.baselines, after.baselines),
        )
        for number, b in mine.items()
        if number not in other
    ]
    old, new = (AffairView.of(a, commands.weighted_amount(a).amount) for a in (before, after))
    return AffairDiffView(
        from_=from_,
        to=to,
        fields=_changes(fields),
        budget=_changes(budget),
        baselines=sorted(baselines, key=lambda c: c.number),
        from_version=from_,
        to_version=to,
        changes=diff_of(old, new, from_, to).changes,
    )
