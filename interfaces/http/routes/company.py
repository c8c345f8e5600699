"""The seller's settings (issue 14): read them (now, at a version, as of a time), their
history, establish or amend them, and the logo as exact bytes."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from application.commands import CommandResult
from application.journal import CommandContext
from domain.access import Role
from domain.company import COMPANY_ID, Company
from domain.company_details import LOGO_MAX_BYTES, LOGO_TYPES
from interfaces.http.deps import ServicesDep
from interfaces.http.history import AsOf, Version, document_history, read_document
from interfaces.http.problems import ERROR_RESPONSES, PROBLEM, Problem
from interfaces.http.results import CompanyAmended, LogoChanged, ResultModel
from interfaces.http.routes.company_schemas import CompanyIn, CompanyView
from interfaces.http.schemas import CommandAnswer, HistoryItem
from interfaces.http.security import ADMINS, READERS, command, reader

router = APIRouter(prefix="/company", tags=["company"], responses=ERROR_RESPONSES)

# Who sets up the company (admins at install, managers later); every user may read it.
WRITERS = frozenset({Role.ADMIN, Role.MANAGER})
Writer = Annotated[CommandContext, command(WRITERS)]
Reader = reader(READERS | ADMINS)

BASE = "/company"
UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {"model": Problem, "description": "Not a PNG, JPEG or SVG", "content": {PROBLEM: {}}}
}
BINARY = {"type": "string", "format": "binary"}
IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {kind: {"schema": BINARY} for kind in LOGO_TYPES},
    }
}
IMAGE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The logo's exact bytes", "content": {kind: {} for kind in LOGO_TYPES}},
    304: {"description": "The logo is the one the client holds (If-None-Match)"},
}


R = TypeVar("R", bound=ResultModel)


def answer(outcome: CommandResult, response: Response, result: type[R]) -> CommandAnswer[R]:
    """The recorded command, with the company's address (it has one, not one per id)."""
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return CommandAnswer[result](  # type: ignore[valid-type]
        id=outcome.aggregate_id,
        version=outcome.version,
        position=outcome.position,
        result=result.model_validate(dict(outcome.result)),
        links={"self": BASE, "history": f"{BASE}/history", "logo": f"{BASE}/logo"},
    )


@router.put(
    "",
    summary="Establish the company's settings, or amend them (with a reason)",
    responses={201: {"model": CommandAnswer[CompanyAmended], "description": "Established"}},
)
def put_company(
    body: CompanyIn, ctx: Writer, services: ServicesDep, response: Response
) -> CommandAnswer[CompanyAmended]:
    company = services.app.company
    command_ = body.command(ctx.at.date())
    ctx = replace(ctx, reason=body.reason)
    if company.exists():
        return answer(company.amend(ctx, command_), response, CompanyAmended)
    outcome = company.establish(ctx, command_)
    response.status_code = 201
    response.headers["Location"] = BASE
    return answer(outcome, response, CompanyAmended)


@router.get(
    "",
    summary="The company's settings: now, at a version, or as of a recorded time",
    dependencies=[Reader],
)
def get_company(
    services: ServicesDep, response: Response, version: Version = None, as_of: AsOf = None
) -> CompanyView:
    company = services.app.company
    found = read_document(services.app, Company, COMPANY_ID, version, as_of, company.get, response)
    return CompanyView.of(found)


@router.get(
    "/history",
    summary="Every change of the company's settings with who, when and why",
    dependencies=[Reader],
)
def company_history(services: ServicesDep) -> list[HistoryItem]:
    return document_history(services.app, COMPANY_ID, "Company")


@router.put(
    "/logo",
    summary="Replace the logo: the raw image (PNG, JPEG or SVG, at most 512 KiB) as the body",
    openapi_extra=IMAGE_BODY,
    responses=UNSUPPORTED,
)
async def put_logo(
    request: Request, ctx: Writer, services: ServicesDep, response: Response
) -> CommandAnswer[LogoChanged]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in LOGO_TYPES:
        raise HTTPException(415, f"send the logo as one of {', '.join(LOGO_TYPES)}")
    data = await _read_at_most(request, LOGO_MAX_BYTES)
    outcome = await run_in_threadpool(services.app.company.change_logo, ctx, data, media_type)
    return answer(outcome, response, LogoChanged)


@router.get(
    "/logo",
    summary="The logo's exact bytes, with its media type and its SHA-256 as ETag",
    dependencies=[Reader],
    response_class=Response,
    responses=IMAGE_ANSWER,
)
def get_logo(
    services: ServicesDep,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    logo, data = services.app.company.logo()
    headers = {
        "ETag": f'"{logo.sha256}"',
        # an SVG opened directly runs nothing and loads nothing
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
    }
    if if_none_match is not None and headers["ETag"] in if_none_match.split(", "):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=logo.media_type, headers=headers)


async def _read_at_most(request: Request, limit: int) -> bytes:
    """The body, refused with a 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"a logo is at most {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"a logo is at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
