"""The HTTP API: `create_app(settings)` builds everything; nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from interfaces.http import problems
from interfaces.http.limits import BodySizeLimit
from interfaces.http.routes import (
    admin,
    affair_actions,
    affair_costs,
    affairs,
    assets,
    contract_reads,
    contracts,
    customers,
    notices,
    order_fulfilment,
    order_reads,
    orders,
    quote_bulk,
    quote_reads,
    quotes,
)
from interfaces.http.routes import audit as audit_events
from interfaces.http.routes.views import affair_entries as affair_entries_view
from interfaces.http.routes.views import audit as audit_view
from interfaces.http.routes.views import budget as budget_view
from interfaces.http.routes.views import contracts as contracts_view
from interfaces.http.routes.views import notices as notices_view
from interfaces.http.routes.views import orders as orders_view
from interfaces.http.routes.views import pipeline as pipeline_view
from interfaces.http.routes.views import quarantine as quarantine_view
from interfaces.http.routes.views import quote_validity as quote_validity_view
from interfaces.http.routes.views import quotes as quotes_view
from interfaces.http.routes.views import service as service_view
from interfaces.settings import Settings
from interfaces.wiring import Clock, Services, utc_now


def create_app(settings: Settings | None = None, clock: Clock = utc_now) -> FastAPI:
    """A FastAPI app serving commands, documents, history and views."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services.build(settings, clock)
        app.state.services = services
        services.start()
        try:
            yield
        finally:
            services.close()

    app = FastAPI(
        title="Comptoir",
        version="0.1.0",
        summary="Event-sourced quotes, orders, affairs, contracts and assets.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit)
    problems.install(app)
    app.include_router(quotes.router)
    app.include_router(quote_bulk.router)
    app.include_router(quote_reads.router)
    for view in (
        notices_view,
        quotes_view,
        audit_view,
        pipeline_view,
        budget_view,
        affair_entries_view,
        orders_view,
        service_view,
        contracts_view,
        quote_validity_view,
        quarantine_view,
    ):
        app.include_router(view.router)
    app.include_router(admin.router)
    # one line per resource's router, below
    app.include_router(customers.router)
    app.include_router(orders.router)
    app.include_router(order_fulfilment.router)
    app.include_router(order_reads.router)
    app.include_router(contracts.router)
    app.include_router(contract_reads.router)
    app.include_router(assets.router)
    app.include_router(affairs.router)
    app.include_router(affair_costs.router)
    app.include_router(affair_actions.router)
    app.include_router(audit_events.router)
    app.include_router(notices.router)

    @app.get("/health", tags=["meta"], summary="Liveness and the projector's position")
    def health() -> dict[str, int | str]:
        services: Services = app.state.services
        return {
            "status": "ok",
            "log_position": services.app.log_position(),
            "view_position": services.runner.position,
            "quarantined": services.runner.quarantined_count,
        }

    return app
