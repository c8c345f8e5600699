"""Quote reads (Q6): the quote now, at a version or as of a time; a revision as sent;
diffs between versions or revisions; the history of its events."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from domain.errors import InvalidInput
from domain.quote import Quote
from interfaces.http.deps import ServicesDep
from interfaces.http.diffs import changes_between, diff_of
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES
from interfaces.http.routes.quote_schemas import DiffView, QuoteView, RevisionView
from interfaces.http.routes.quotes import Reader
from interfaces.http.schemas import HistoryItem

router = APIRouter(prefix="/quotes", tags=["quotes"], responses=ERROR_RESPONSES)


@router.get(
    "/{quote_id:uuid}",  # only a UUID: `/quotes/bulk-actions` is no quote (405, not 422)
    summary="The quote from the event store: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_quote(
    quote_id: UUID,
    services: ServicesDep,
    response: Response,
    version: Version = None,
    as_of: AsOf = None,
) -> QuoteView:
    """The validity bucket is computed for today, whatever version is shown."""
    app = services.app
    quote = read_document(app, Quote, quote_id, version, as_of, app.quotes.get, response)
    today = services.clock().date()
    return QuoteView.of(quote, today, services.app.policies.quote_soon_days)


@router.get(
    "/{quote_id}/revisions/{revision}",
    summary="What revision N of the quote said, as it was sent (Q6)",
    dependencies=[Reader],
)
def quote_revision(
    quote_id: UUID,
    revision: Annotated[int, Path(ge=1, le=2**31)],
    services: ServicesDep,
) -> RevisionView:
    return RevisionView.of(services.app.quotes.revision(quote_id, revision))


@router.get(
    "/{quote_id}/diff",
    summary="Field and line changes between two versions, or two revisions (Q6)",
    dependencies=[Reader],
)
def quote_diff(
    quote_id: UUID,
    services: ServicesDep,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=2**31)] = None,
    to: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    from_revision: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    to_revision: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> DiffView:
    """`from`/`to` are event-history versions; `from_revision`/`to_revision` revisions."""
    by_version = (from_, to)
    by_revision = (from_revision, to_revision)
    if any(v is not None for v in by_version) and any(r is not None for r in by_revision):
        raise InvalidInput("compare versions (from, to) or revisions, not both")
    quotes = services.app.quotes
    currency = quotes.get(quote_id).currency
    if from_ is not None and to is not None:
        diff = quotes.diff_versions(quote_id, from_, to)
        answer = DiffView.of(diff, "version", from_, to, currency)
        today, soon = services.clock().date(), services.app.policies.quote_soon_days
        old, new = (QuoteView.of(quotes.get(quote_id, v), today, soon) for v in (from_, to))
        answer.from_version, answer.to_version = from_, to
        answer.changes = diff_of(old, new, from_, to).changes
        return answer
    if from_revision is not None and to_revision is not None:
        diff = quotes.diff_revisions(quote_id, from_revision, to_revision)
        answer = DiffView.of(diff, "revision", from_revision, to_revision, currency)
        revisions = (from_revision, to_revision)
        first, last = (RevisionView.of(quotes.revision(quote_id, r)) for r in revisions)
        answer.changes = changes_between(
            first.model_dump(mode="json"), last.model_dump(mode="json")
        )
        return answer
    raise InvalidInput("give both from and to, or both from_revision and to_revision")


@router.get(
    "/{quote_id}/history",
    summary="Every event of the quote with who, when and why",
    dependencies=[Reader],
)
def quote_history(quote_id: UUID, services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, quote_id, "Quote")
