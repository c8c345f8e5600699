"""The catalogue's register: which price lists exist and which group each customer is in.

Pricing a line needs every price list that may apply, and a customer's group; the event
store finds aggregates by id only, so this one document (a fixed id) lists them. A
customer belongs to at most one pricing group; a list assigned to that group applies to
every customer in it. Each file import is recorded here too, as one event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidInput
from domain.quote_lines import checked_at, optional_text

CATALOGUE_ID = uuid5(NAMESPACE_URL, "comptoir:catalogue")


@dataclass(frozen=True)
class ImportSummary:
    """What one file import did: its hash, and how many products and lists it touched."""

    sha256: str
    products: int
    price_lists: int


class Catalogue(Aggregate):
    """The one register of price lists and customers' pricing groups."""

    @staticmethod
    def create_id() -> UUID:
        return CATALOGUE_ID

    @event("Opened")
    def __init__(self, *, at: datetime) -> None:
        self.opened_at = at
        self.price_lists: list[UUID] = []
        self.groups: dict[str, str] = {}
        self.imports = 0

    @classmethod
    def open(cls, *, at: datetime) -> Catalogue:
        return cls(at=checked_at(at))

    def group_of(self, customer_id: UUID | None) -> str | None:
        """The customer's pricing group, None when it has none."""
        return None if customer_id is None else self.groups.get(customer_id.hex)

    def list_price_list(self, *, at: datetime, price_list_id: UUID) -> None:
        """Register a new price list so pricing considers it."""
        if price_list_id not in self.price_lists:
            self._list_price_list(at=checked_at(at), price_list_id=price_list_id)

    @event("PriceListListed")
    def _list_price_list(self, at: datetime, price_list_id: UUID) -> None:
        self.price_lists.append(price_list_id)

    def set_group(self, *, at: datetime, customer_id: UUID, group: str | None) -> None:
        """Put a customer in a pricing group, or (None) in none."""
        if not isinstance(customer_id, UUID):
            raise InvalidInput(f"a customer is given by its id, got {customer_id!r}")
        name = optional_text(group, "a group")
        if name != self.groups.get(customer_id.hex):
            self._set_group(at=checked_at(at), customer_id=customer_id, group=name)

    @event("GroupSet")
    def _set_group(self, at: datetime, customer_id: UUID, group: str | None) -> None:
        if group is None:
            self.groups.pop(customer_id.hex, None)
        else:
            self.groups[customer_id.hex] = group

    def record_import(self, *, at: datetime, summary: ImportSummary) -> None:
        """One file imported: its products and lists were recorded with this event."""
        self._record_import(at=checked_at(at), summary=summary)

    @event("FileImported")
    def _record_import(self, at: datetime, summary: ImportSummary) -> None:
        self.imports += 1
