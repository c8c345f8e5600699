"""Which nodes serve the console: those of role `all` only.

Every page reads views (a command node keeps none) and the document timeline reads a
document's history (a query node serves none), so on a command node the console's paths
answer a 404 problem `console-not-served` naming the node that serves it, before the
sign-in page or any page is drawn; a query node's own gate answers them the same way.
"""

from __future__ import annotations

from typing import Any, NoReturn

from starlette.requests import Request
from starlette.routing import Match, Route
from starlette.types import Scope

from domain.errors import NotFound
from interfaces.console.session import PREFIX

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class ConsoleNotServed(NotFound):
    """The console was asked of a node that is not of role `all`."""

    code = "console-not-served"


def role_of(scope: Scope) -> str:
    """The role of the app answering `scope` (`all` before its services are built)."""
    app: Any = scope.get("app")
    services = getattr(getattr(app, "state", None), "services", None)
    return str(services.settings.role) if services is not None else "all"


def is_console(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class ConsoleGate(Route):
    """Placed before the console's routes: answers them on a node that is not `all`."""

    def __init__(self) -> None:
        super().__init__(PREFIX + "{rest:path}", self.refuse, methods=METHODS)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and is_console(scope["path"]) and role_of(scope) != "all":
            return super().matches(scope)
        return Match.NONE, {}

    async def refuse(self, request: Request) -> NoReturn:
        refuse_console(role_of(request.scope))


def refuse_console(role: str) -> NoReturn:
    """The 404 problem of the console asked of a node of `role`."""
    raise ConsoleNotServed(
        f"this is a {role} node: the console reads views and documents, so a node of "
        "role all serves it (`comptoir serve --role all`, the default)"
    )
