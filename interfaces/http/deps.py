"""Request dependencies: the services a request works with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from interfaces.wiring import Services


async def get_services(request: Request) -> Services:
    """The wired services (a coroutine: FastAPI runs it on the loop, not in a thread)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
