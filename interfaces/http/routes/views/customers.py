"""The customers list over HTTP (U1): search by name, SIREN, VAT number, status and
salesperson, as it stands or as it stood (V9), with its export (V10).

- `q`: a part of the name or legal name, whatever its case and accents ("societe gen"
  finds "Société Générale");
- `siren`, `vat_number`: the identifier in any spacing and case, matched exactly in
  compact form (as the customer's commands store it);
- `salesperson`: customers with an affair or a quote held by that salesperson, the
  `salespeople` column listing them all.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Response

from domain.customer import CustomerStatus
from interfaces.http.deps import ServicesDep
from interfaces.http.routes.views import (
    AsOf,
    Limit,
    Offset,
    Position,
    ViewQuery,
    answer,
    equal_to,
    query_page,
    sort,
    view_router,
)
from interfaces.http.routes.views.export import export_route
from interfaces.http.schemas import ViewPage
from interfaces.http.security import READERS, reader
from projections.customers import customers_source, fold, held_by, search_matches

router = view_router()

CustomerOrder = Literal["name", "registered_at", "updated_at", "status"]
Text = Annotated[str | None, Query(min_length=1, max_length=200)]
Identifier = Annotated[str | None, Query(min_length=1, max_length=50)]


def compact(identifier: str) -> str:
    """An identifier as stored: without spaces, dots or dashes, in capitals."""
    return "".join(c for c in identifier if c not in " .-\t").upper()


def customer_filters(
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="A part of the name or legal name; case and accents are ignored",
        ),
    ] = None,
    siren: Identifier = None,
    vat_number: Identifier = None,
    status: CustomerStatus | None = None,
    salesperson: Text = None,
    order_by: CustomerOrder = "name",
    descending: bool = False,
    as_of: AsOf = None,
) -> ViewQuery:
    """The customers the client looks for (as they stood at `as_of`), by name by default."""
    where: list[tuple[str, Any]] = equal_to(
        ("siren", None if siren is None else compact(siren)),
        ("vat_number", None if vat_number is None else compact(vat_number)),
        ("status", None if status is None else str(status)),
    )
    if q is not None:
        where.append((search_matches(as_of), fold(q)))
    if salesperson is not None:
        where.append((held_by(as_of), salesperson))
    order = sort(order_by, descending, "customer_id")
    return ViewQuery("customers", customers_source(as_of), where, order)


@router.get(
    "/customers",
    summary="Customers by name, SIREN, VAT number, status or salesperson (U1)",
    description=__doc__,
    dependencies=[reader(READERS)],
)
def customers_view(
    services: ServicesDep,
    response: Response,
    query: Annotated[ViewQuery, Depends(customer_filters)],
    limit: Limit = 100,
    offset: Offset = 0,
    min_position: Position = None,
) -> ViewPage:
    with answer(services, min_position, response) as snapshot:
        return query_page(snapshot, query, limit, offset)


export_route(router, "/customers", customer_filters, READERS, "the customers")
