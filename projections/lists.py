"""The lists people look for (issue 16), registered with the projector in one place:
customers' salespeople (U1), the installed base (S1), the actions' agenda (A8) and
non-conformities (O7). The `customers` rows themselves are `CustomersView`'s."""

from __future__ import annotations

from projections.actions import ActionsView
from projections.assets import AssetsView, AssetVersionsView
from projections.base import DocumentView
from projections.customers import AffairSalespeopleView, QuoteSalespeopleView
from projections.nonconformities import NonConformitiesView


def list_views() -> list[DocumentView]:
    """The document views behind the lists, each with its history (V9)."""
    return [
        AffairSalespeopleView(),
        QuoteSalespeopleView(),
        AssetsView(),
        AssetVersionsView(),
        ActionsView(),
        NonConformitiesView(),
    ]
