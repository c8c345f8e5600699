"""What the command routes share: the optional body, its reason, and the 2xx answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, TypeVar, overload

from fastapi import Body as BodyParam
from fastapi import Response

from application.commands import CommandResult
from application.journal import CommandContext
from interfaces.http.results import NoResult, ResultModel
from interfaces.http.schemas import Accepted, Body, CommandAnswer

R = TypeVar("R", bound=ResultModel)

OptionalBody = Annotated[Body | None, BodyParam()]


def reason_of(body: Body | None) -> str | None:
    """The reason a body gives for the record, if there is a body."""
    return None if body is None else body.reason


def with_reason(ctx: CommandContext, body: Body | None) -> CommandContext:
    """The command context carrying the body's reason into the journal."""
    return replace(ctx, reason=reason_of(body))


@overload
def accepted(outcome: CommandResult, response: Response, base: str) -> Accepted: ...


@overload
def accepted(
    outcome: CommandResult, response: Response, base: str, result: type[R]
) -> CommandAnswer[R]: ...


def accepted(
    outcome: CommandResult, response: Response, base: str, result: type[Any] = NoResult
) -> Any:
    """The recorded command, with its version as ETag and a flag when it was replayed;
    its `result` read by the command's model (which also reads a replayed journal row
    written before results were typed)."""
    response.headers["ETag"] = f'"{outcome.version}"'
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    if result is NoResult:
        return Accepted.of(outcome, base, NoResult)
    return CommandAnswer[result].of(outcome, base, result)  # type: ignore[valid-type]


@overload
def created(outcome: CommandResult, response: Response, base: str) -> Accepted: ...


@overload
def created(
    outcome: CommandResult, response: Response, base: str, result: type[R]
) -> CommandAnswer[R]: ...


def created(
    outcome: CommandResult, response: Response, base: str, result: type[Any] = NoResult
) -> Any:
    """`accepted`, with the new document's address in `Location`."""
    response.headers["Location"] = f"{base}/{outcome.aggregate_id}"
    return accepted(outcome, response, base, result)
