"""The `customers` view (U1): one row per customer, and the salespeople who follow it.

- `customers`: name, status, VAT number, legal name, SIREN and SIRET, credit limit.
  `search_name` is the name and legal name folded for search (`fold`: accents dropped,
  case folded), so a search for "societe generale" finds "Société Générale".
- `customer_salespeople`: one row per affair or quote of a known customer that names a
  salesperson (its current one: a reassigned affair counts for its new holder). A
  customer has no salesperson of its own; its salespeople are those holding its affairs
  and quotes, whatever their status (`customers_source` lists them).

Both keep their history (`customers_history`, `customer_salespeople_history`), so the list
reads as it stood at a time (V9).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.affair import Affair
from domain.customer import Customer
from domain.quote import Quote
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import table_at
from projections.unmoved import AFFAIR_FIGURES_AND_ACTIONS

TABLE = Table(
    "customers",
    [
        ("customer_id", "text"),
        ("name", "text"),
        ("status", "text"),
        ("vat_number", "text"),
        ("legal_name", "text"),
        ("siren", "text"),
        ("siret", "text"),
        ("credit_limit", "money"),
        ("currency", "text"),
        ("registered_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("search_name", "text"),
        ("version", "int"),
        ("position", "int"),
    ],
)

SALESPEOPLE = Table(
    "customer_salespeople",
    [
        ("document_id", "text"),
        ("kind", "text"),
        ("customer_id", "text"),
        ("salesperson", "text"),
        ("position", "int"),
    ],
)


def fold(text: str) -> str:
    """Text as search compares it: compatibility-decomposed, accents dropped, case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.casefold())


class CustomersView:
    """Rows of the `customers` view, from each customer's current state."""

    table: Table = TABLE
    key: str = "customer_id"
    document: type[Aggregate] = Customer
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        customer = folded.aggregate
        assert isinstance(customer, Customer)
        names = [customer.name, customer.legal_name or ""]
        return [
            {
                "customer_id": str(customer.id),
                "name": customer.name,
                "status": str(customer.status),
                "vat_number": customer.vat_number,
                "legal_name": customer.legal_name,
                "siren": customer.siren,
                "siret": customer.siret,
                "credit_limit": customer.credit_limit,
                "currency": customer.currency,
                "registered_at": customer.registered_at,
                "updated_at": customer.modified_on,
                "search_name": fold("\n".join(names)),
                "version": customer.version,
                "position": folded.position,
            }
        ]


class _Salespeople:
    """A document's row in `customer_salespeople`, when it names a customer and a salesperson."""

    table: Table = SALESPEOPLE
    key: str = "document_id"
    history: bool = True
    kind: str

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        document: Any = folded.aggregate
        customer, salesperson = document.customer_id, document.salesperson
        if customer is None or salesperson is None:
            return []
        return [
            {
                "document_id": str(document.id),
                "kind": self.kind,
                "customer_id": str(customer),
                "salesperson": salesperson,
                "position": folded.position,
            }
        ]


class AffairSalespeopleView(_Salespeople):
    """Who holds each affair of a known customer."""

    document: type[Aggregate] = Affair
    kind = "affair"
    unmoved_by: frozenset[type] = AFFAIR_FIGURES_AND_ACTIONS


class QuoteSalespeopleView(_Salespeople):
    """Who holds each quote of a known customer."""

    document: type[Aggregate] = Quote
    kind = "quote"


def salespeople_at(as_of: datetime | None = None) -> str:
    """The `customer_salespeople` rows (as they stood at `as_of`), as a table expression."""
    return table_at("customer_salespeople", as_of)


def customers_source(as_of: datetime | None = None) -> str:
    """The customers (as they stood at `as_of`) with their salespeople, sorted, as a list;
    the search key stays out of the answer (filters reach it through `search_matches`)."""
    return f"""(
        SELECT c.* EXCLUDE (search_name), coalesce(s.salespeople, []::VARCHAR[]) AS salespeople
        FROM {table_at("customers", as_of)} AS c
        LEFT JOIN (
            SELECT customer_id, list(DISTINCT salesperson ORDER BY salesperson) AS salespeople
            FROM {salespeople_at(as_of)} AS p GROUP BY customer_id
        ) AS s USING (customer_id)
    )"""


def search_matches(as_of: datetime | None = None) -> str:
    """A condition on `customer_id`: the customer's folded names contain the bound text."""
    return (
        f"customer_id IN (SELECT customer_id FROM {table_at('customers', as_of)} "
        "WHERE contains(search_name, ?))"
    )


def held_by(as_of: datetime | None = None) -> str:
    """A condition on `customer_id`: the bound salesperson holds one of its affairs or quotes."""
    return f"customer_id IN (SELECT customer_id FROM {salespeople_at(as_of)} WHERE salesperson = ?)"
