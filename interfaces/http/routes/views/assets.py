"""The installed base over HTTP (S1): assets by customer, product, version installed,
contract and warranty state, as it stands or as it stood (V9), with its export (V10).

Warranty columns are those of `today` (default: as_of's date, else the server's date),
with the deployment's `warranty_soon_days`; see `projections.assets` for their rules.
`component` and `version` select the assets with that configuration entry installed
(`component=firmware&version=2.1`), or that version of any component, or any version
of that component.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response

from interfaces.http.deps import ServicesDep
from interfaces.http.routes.params import Today
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    ViewQuery,
    answer,
    day_of,
    equal_to,
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.assets import assets_source, installed

router = view_router()

WarrantyState = Literal["none", "active", "expiring_soon", "not_started", "expired"]
AssetOrder = Literal["product_ref", "registered_at", "updated_at", "covered_until", "site"]
Id = Annotated[str | None, Query(max_length=40)]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]


def asset_filters(
    services: ServicesDep,
    customer_id: Id = None,
    product_ref: Text = None,
    serial_number: Text = None,
    site: Text = None,
    component: Text = None,
    version: Text = None,
    contract_id: Id = None,
    under_contract: bool | None = None,
    warranty_status: WarrantyState | None = None,
    under_warranty: bool | None = None,
    today: Today = None,
    order_by: AssetOrder = "product_ref",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The assets the client looks for, with their warranty state on the day asked about."""
    day = day_of(services, today, as_of)
    soon = services.app.policies.warranty_soon_days
    where: list[tuple[str, Any]] = equal_to(
        ("customer_id", customer_id),
        ("product_ref", product_ref),
        ("serial_number", serial_number),
        ("site", site),
        ("contract_id", contract_id),
        ("warranty_status", warranty_status),
        ("under_warranty", under_warranty),
    )
    if under_contract is not None:
        where.append(("(contract_id IS NOT NULL) = ?", under_contract))
    if component is not None or version is not None:
        where.append(installed(component, version, as_of))
    order = sort(order_by, descending, "asset_id", nulls_last=True)
    return ViewQuery("assets", assets_source(day, soon, as_of), where, order)


@router.get(
    "/assets",
    summary="The installed base: assets by customer, product, version, contract, warranty (S1)",
    description=__doc__,
    dependencies=[reader(READERS)],
)
def assets_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(asset_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/assets", asset_filters, READERS, "the installed base")
