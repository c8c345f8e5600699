"""Through a real uvicorn server: huge keys and headers are refused before any lookup.

120 requests with distinct 1 MiB `X-API-Key` values once grew the server by 120 MB:
each was looked up and cached forever. Now a key that is not shaped like an issued one
is a 401 at once, and headers over 16 KiB are a 431, whatever they carry.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from application.access import KEY_PREFIX
from interfaces.http.limits import MAX_HEADER_BYTES
from tests.conftest import settings_for
from tests.load.harness import LiveServer

PROBLEM = "application/problem+json"
QUOTE = "/quotes/00000000-0000-4000-8000-000000000000"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(settings_for("sqlite", tmp_path)) as live:
        yield live


def test_headers_over_the_limit_are_refused_with_a_431_problem(server: LiveServer) -> None:
    key = server.key("ines", "sales")
    with server.client(key) as http:
        answer = http.get(QUOTE, headers={"X-Padding": "x" * (MAX_HEADER_BYTES + 1)})
        assert answer.status_code == 431
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["type"] == "/problems/request-headers-too-large"
        assert str(MAX_HEADER_BYTES) in answer.json()["detail"]
        assert http.get("/health").status_code == 200  # the connection is still usable


def test_a_megabyte_key_is_refused_without_being_looked_up_or_cached(server: LiveServer) -> None:
    access = server.services.app.access
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for n in range(20):
            huge = KEY_PREFIX + str(n % 10) * (1024 * 1024)
            answer = http.get(QUOTE, headers={"X-API-Key": huge})
            assert answer.status_code == 431
            assert answer.headers["content-type"] == PROBLEM
    assert (len(access.known), len(access.unknown)) == (0, 0)


def test_a_malformed_key_is_a_401_that_says_what_a_key_looks_like(server: LiveServer) -> None:
    access = server.services.app.access
    with httpx.Client(base_url=server.url, timeout=60) as http:
        for malformed in ("cpt_forged", "cpt_" + "A" * 4000, "Bearer-ish"):
            for headers in ({"X-API-Key": malformed}, {"Authorization": f"Bearer {malformed}"}):
                answer = http.get(QUOTE, headers=headers)
                assert answer.status_code == 401
                assert answer.headers["content-type"] == PROBLEM
                assert "malformed" in answer.json()["detail"]
        made_up = KEY_PREFIX + secrets.token_urlsafe(32)
        answer = http.get(QUOTE, headers={"X-API-Key": made_up})
        assert answer.status_code == 401
        assert "unknown or revoked" in answer.json()["detail"]
    assert (len(access.known), len(access.unknown)) == (0, 1)
