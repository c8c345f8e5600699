"""The ASGI entry point for uvicorn worker processes: settings from the environment.

`comptoir serve --workers N` runs `uvicorn interfaces.asgi:create_app_from_env --factory`
in N processes; each builds its own app (and services) from `COMPTOIR_*`, the role
included. `uvicorn --factory interfaces.asgi:create_app_from_env` does the same by hand.
Each process tunes its runtime first (`interfaces.runtime`).
"""

from __future__ import annotations

from fastapi import FastAPI

from interfaces.http.app import create_app
from interfaces.runtime import tune_runtime
from interfaces.settings import Settings


def create_app_from_env() -> FastAPI:
    """A FastAPI app configured by the `COMPTOIR_*` environment of this process."""
    tune_runtime()
    return create_app(Settings())
