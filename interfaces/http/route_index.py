"""Routing by the path's first segment: a request tries only the routers that could serve it.

FastAPI tries the application's included routers in turn and, inside each, every route,
keeping a context of its own for each one it tries. A request for
`/affairs/{id}/time-entries` tried some 130 routes before its own: 270 µs of a request
that costs about 1.2 ms of CPU in all (docs/benchmarks.md, section 4).

Each of the application's routers serves a few resources: `index_routes` gives every
top-level router the first path segments its routes begin with (`affairs`, `views` …).
A request whose path begins with none of them is answered "no match" by that router at
once, which is what trying each of its routes would have answered (a route's path is
matched whole). A router with a route that begins with a parameter, or with anything but
plain routes, has no index and is tried as before. The order in which routers are tried
is unchanged, so the route chosen is the same; `tests/unit/test_route_index.py` checks
that for every route of the application.

FastAPI keeps an included router as `fastapi.routing._IncludedRouter`; its `matches` is
wrapped once, here. The version is pinned (constraints.txt) and the test fails if a new
one changes what this relies on.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

_SEGMENTS = "_comptoir_first_segments"


def first_segment(path: str) -> str:
    """`affairs` for `/affairs/…`; empty for `/`."""
    return path.split("/", 2)[1] if path.startswith("/") else ""


def router_segments(router: _IncludedRouter) -> frozenset[str] | None:
    """The first segments every route of `router` begins with; None when one could begin
    with anything (a parameter first, or a route that is not a plain one)."""
    found = set()
    for candidate in router.effective_candidates():
        route = getattr(candidate, "original_route", None)
        path = getattr(candidate, "path_format", None)
        if isinstance(candidate, _IncludedRouter) or not isinstance(route, APIRoute):
            return None
        if not isinstance(path, str):
            return None
        segment = first_segment(path)
        if not segment or "{" in segment:
            return None
        found.add(segment)
    return frozenset(found)


def index_routes(app: FastAPI) -> None:
    """Give each top-level router of `app` its first segments (see the module)."""
    for route in app.router.routes:
        if isinstance(route, _IncludedRouter):
            setattr(route, _SEGMENTS, router_segments(route))


_matches = _IncludedRouter.matches


def _indexed_matches(self: _IncludedRouter, scope: Scope) -> tuple[Match, Scope]:
    segments: frozenset[str] | None = getattr(self, _SEGMENTS, None)
    if segments is not None and first_segment(get_route_path(scope)) not in segments:
        return Match.NONE, {}
    return _matches(self, scope)


def _install() -> None:
    matches: Any = _indexed_matches
    _IncludedRouter.matches = matches  # type: ignore[method-assign]


_install()
