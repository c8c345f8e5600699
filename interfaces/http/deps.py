"""Request dependencies: the services, and the context every command carries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from application.journal import CommandContext
from domain.errors import InvalidInput
from interfaces.wiring import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def parse_if_match(value: str | None) -> int | None:
    """`If-Match: "3"` or `If-Match: 3` → 3."""
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput(f"If-Match must be a document version number, got {value!r}")
    return int(text)


def command_context(
    services: ServicesDep,
    x_actor: Annotated[str, Header(min_length=1, max_length=200, description="Who issues it")],
    idempotency_key: Annotated[
        str | None, Header(min_length=1, max_length=200, description="Retry-safe key")
    ] = None,
    if_match: Annotated[
        str | None, Header(description="The document version the client expects")
    ] = None,
) -> CommandContext:
    actor = x_actor.strip()
    if not actor:
        raise InvalidInput("X-Actor must name who issues the command")
    return CommandContext(
        actor=actor,
        at=services.clock(),
        idempotency_key=idempotency_key,
        expected_version=parse_if_match(if_match),
    )


ContextDep = Annotated[CommandContext, Depends(command_context)]
