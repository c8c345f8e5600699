"""What the command routes share: the optional body, its reason, and the 2xx answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Body as BodyParam
from fastapi import Response

from application.commands import CommandResult
from application.journal import CommandContext
from interfaces.http.schemas import Accepted, Body

OptionalBody = Annotated[Body | None, BodyParam()]


def reason_of(body: Body | None) -> str | None:
    """The reason a body gives for the record, if there is a body."""
    return None if body is None else body.reason


def with_reason(ctx: CommandContext, body: Body | None) -> CommandContext:
    """The command context carrying the body's reason into the journal."""
    return replace(ctx, reason=reason_of(body))


def accepted(outcome: CommandResult, response: Response, base: str) -> Accepted:
    """The recorded command, with its version as ETag and a flag when it was replayed."""
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return Accepted.of(outcome, base)


def created(outcome: CommandResult, response: Response, base: str) -> Accepted:
    """`accepted`, with the new document's address in `Location`."""
    response.headers["Location"] = f"{base}/{outcome.aggregate_id}"
    return accepted(outcome, response, base)
