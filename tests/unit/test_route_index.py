"""Routing by the path's first segment (`interfaces.http.route_index`) chooses the route
FastAPI's own routing chooses, for every route of the application and every role, and
tries fewer routes doing it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from starlette.routing import Match

from interfaces.http.app import create_app
from interfaces.http.route_index import router_segments
from tests.conftest import settings_for

ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
SEGMENTS = "_comptoir_first_segments"


def _concrete(template: str) -> str:
    """A path the template matches: each parameter filled with a value its type accepts."""

    def value(found: re.Match[str]) -> str:
        kind = found.group(2)
        return {"path": "a/b.csv", "budget_category": "labour", "int": "7"}.get(kind or "", ID)

    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, template)


def _routes(candidates: list[Any]) -> Iterator[tuple[str, set[str]]]:
    """(path template, methods) of every API route under the candidates, nested ones too."""
    for candidate in candidates:
        if isinstance(candidate, _IncludedRouter):
            yield from _routes(candidate.effective_candidates())
        elif isinstance(getattr(candidate, "original_route", None), APIRoute):
            yield candidate.path_format, set(candidate.original_route.methods)


def _chosen(app: FastAPI, method: str, path: str) -> tuple[int | None, str]:
    """The index of the top-level route the application's router would hand the request
    to, and whether it matched fully or in part (the path, not the method)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
    partial = None
    for index, route in enumerate(app.router.routes):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return index, "full"
        if match == Match.PARTIAL and partial is None:
            partial = index
    return partial, "partial" if partial is not None else "none"


def _own_requests(app: FastAPI) -> list[tuple[str, str]]:
    """A request each route of the application serves."""
    requests = []
    for route in app.router.routes:
        if isinstance(route, _IncludedRouter):
            for template, methods in _routes(route.effective_candidates()):
                requests += [(method, _concrete(template)) for method in sorted(methods)]
    return requests


def _requests(app: FastAPI) -> list[tuple[str, str]]:
    """Every route's own requests, each path with another method and one segment more,
    and paths no route serves."""
    own = _own_requests(app)
    requests = [("GET", "/nowhere"), ("DELETE", "/health"), ("GET", "/"), ("PATCH", "/quotes")]
    for _, path in own:
        requests += [("PUT", path), ("GET", path + "/more")]
    return own + requests


@pytest.mark.parametrize("role", ["all", "command", "query"])
def test_every_route_is_chosen_as_without_the_index(role: str, tmp_path: Path) -> None:
    settings = settings_for("sqlite", tmp_path).model_copy(update={"role": role})
    app = create_app(settings)
    routers = [r for r in app.router.routes if isinstance(r, _IncludedRouter)]
    indexed = [r for r in routers if getattr(r, SEGMENTS, None) is not None]
    assert len(indexed) > len(routers) / 2  # most routers serve one resource or two
    requests = _requests(app)
    assert len(requests) > 400
    with_index = [_chosen(app, method, path) for method, path in requests]
    for router in indexed:
        delattr(router, SEGMENTS)
    without_index = [_chosen(app, method, path) for method, path in requests]
    differences = [
        (request, a, b)
        for request, a, b in zip(requests, with_index, without_index, strict=True)
        if a != b
    ]
    assert not differences, differences[:5]
    own = len(_own_requests(app))
    assert [how for _, how in with_index[:own]] == ["full"] * own  # each served in full


def test_a_request_tries_only_the_routers_of_its_first_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(settings_for("sqlite", tmp_path))
    tried: list[str] = []
    plain = APIRoute.matches

    def counting(route: APIRoute, scope: Any) -> Any:
        tried.append(route.path)
        return plain(route, scope)

    monkeypatch.setattr(APIRoute, "matches", counting)
    assert _chosen(app, "POST", f"/affairs/{ID}/time-entries")[1] == "full"
    indexed = list(tried)
    for router in app.router.routes:
        if getattr(router, SEGMENTS, None) is not None:
            delattr(router, SEGMENTS)
    tried.clear()
    assert _chosen(app, "POST", f"/affairs/{ID}/time-entries")[1] == "full"
    assert len(indexed) < len(tried) / 2, (len(indexed), len(tried))
    assert not [p for p in indexed if p.startswith(("/customers", "/quotes", "/orders"))]
    assert indexed[-1] == tried[-1]  # the same route, in the end


def test_a_router_with_a_route_beginning_with_a_parameter_has_no_index(tmp_path: Path) -> None:
    app = create_app(settings_for("sqlite", tmp_path))
    segments = {
        route.original_router.prefix or "/": router_segments(route)
        for route in app.router.routes
        if isinstance(route, _IncludedRouter)
    }
    assert None in segments.values()  # the routers nesting others are tried as before
    assert frozenset({"affairs"}) in segments.values()
