"""The HTTP API: `create_app(settings)` builds everything; nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from application.access import Principal
from interfaces.http import problems
from interfaces.http.deps import ServicesDep
from interfaces.http.docs_page import install_docs_page
from interfaces.http.limits import BodySizeLimit, HeaderSizeLimit
from interfaces.http.request_log import RequestLog, configure_request_log
from interfaces.http.route_index import index_routes
from interfaces.http.routes import (
    accounting,
    admin,
    affair_actions,
    affair_costs,
    affairs,
    assets,
    company,
    contract_reads,
    contracts,
    customers,
    notices,
    order_fulfilment,
    order_reads,
    orders,
    price_lists,
    pricing,
    products,
    quote_bulk,
    quote_products,
    quote_reads,
    quotes,
)
from interfaces.http.routes import audit as audit_events
from interfaces.http.routes import documents as document_routes
from interfaces.http.routes import invoices as invoice_routes
from interfaces.http.routes import payments as payment_routes
from interfaces.http.routes import vouchers as voucher_routes
from interfaces.http.routes.views import affair_entries as affair_entries_view
from interfaces.http.routes.views import audit as audit_view
from interfaces.http.routes.views import budget as budget_view
from interfaces.http.routes.views import contracts as contracts_view
from interfaces.http.routes.views import invoices as invoices_view
from interfaces.http.routes.views import lists as lists_view
from interfaces.http.routes.views import margins as margins_view
from interfaces.http.routes.views import notices as notices_view
from interfaces.http.routes.views import orders as orders_view
from interfaces.http.routes.views import pipeline as pipeline_view
from interfaces.http.routes.views import products as products_view
from interfaces.http.routes.views import quarantine as quarantine_view
from interfaces.http.routes.views import quote_validity as quote_validity_view
from interfaces.http.routes.views import quotes as quotes_view
from interfaces.http.routes.views import service as service_view
from interfaces.http.security import authenticated
from interfaces.http.text_rules import install_text_rule
from interfaces.roles import restrict_routes
from interfaces.settings import Settings
from interfaces.wiring import Clock, Services, utc_now

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key")
_bearer = HTTPBearer(auto_error=False, description="An API key as a bearer token")


async def optional_key(
    request: Request,
    services: ServicesDep,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal | None:
    """The key's principal when a key is presented (401 if it is not valid), else None."""
    if not api_key and bearer is None:
        return None
    return await authenticated(request, services, api_key, bearer)


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
        docs_url=None,  # served by install_docs_page with local assets
        redoc_url=None,
    )
    install_docs_page(app)
    configure_request_log()
    install_text_rule(app)  # inside the size limit: reads a bounded body
    app.add_middleware(BodySizeLimit)
    app.add_middleware(HeaderSizeLimit)
    app.add_middleware(RequestLog)  # inside RequestIds: logs the id the answer carries
    app.add_middleware(problems.RequestIds)  # added last: the outermost, sees every answer
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
        invoices_view,
        service_view,
        contracts_view,
        quote_validity_view,
        quarantine_view,
        products_view,
        lists_view,
        margins_view,
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
    app.include_router(invoice_routes.router)
    app.include_router(document_routes.router)
    app.include_router(payment_routes.router)
    app.include_router(voucher_routes.router)
    app.include_router(company.router)
    app.include_router(accounting.router)
    for catalogue in (products, price_lists, pricing, quote_products):
        app.include_router(catalogue.router)
    from interfaces.console import install_console  # the console's pages, over these routes

    install_console(app)

    @app.get(
        "/health",
        tags=["meta"],
        summary="Liveness; with a key (any role), the log and view positions too",
        openapi_extra={"security": [{}]},  # the key is optional here: `{}` says so
        responses={status: problems.ERROR_RESPONSES[status] for status in (401, 503, 500)},
    )
    def health(viewer: Annotated[Principal | None, Depends(optional_key)]) -> dict[str, int | str]:
        if viewer is None:  # anyone may know the service is up; its state is for users
            return {"status": "ok"}
        services: Services = app.state.services
        answer: dict[str, int | str] = {
            "status": "ok",
            "log_position": services.app.log_position(),
        }
        return answer | services.node_state() | integrity_alerts(services)

    restrict_routes(app, settings.role)
    index_routes(app)  # a request tries only the routers that could serve it
    return app


def integrity_alerts(services: Services) -> dict[str, int | str]:
    """What the tamper checks refused in this process: an event the sealer will not seal,
    snapshots whose MAC failed (each document was folded from its events instead)."""
    alerts: dict[str, int | str] = {}
    blocked = None if services.sealer is None else services.sealer.sealer.blocked
    if blocked is not None:
        alerts["sealer_blocked_at"] = blocked.notification_id
        alerts["sealer_blocked_because"] = blocked.reason
    snapshots: Any = services.app.snapshots
    if snapshots is not None and snapshots.rejected:
        alerts["snapshots_rejected"] = snapshots.rejected
    return alerts
