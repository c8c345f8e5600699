"""The installed base (S1): one row per asset, and one per version installed on it.

- `assets`: the asset's customer, product, serial number, site, maintenance contract,
  the number of its configuration revision, the dates of its two warranties (customer,
  manufacturer; NULL when it has none of that kind) and its service cases.
- `asset_versions`: the asset's configuration as it stands, one row per component (a
  configuration key, e.g. `firmware`) and the version installed (its value).

The warranty columns depend on the day asked about, so `assets_source` computes them at
query time, with the rules of `domain.warranty` applied to the asset as a whole:

- `covered_by`: the warranty a repair on that day falls under, the manufacturer's first
  (as `Asset.warranty_on` decides it); NULL when none is in force;
- `covered_until`: the last day covered by a warranty in force, the later of the two;
  `warranty_days_left` the days from that day to it (0 on the last day);
- `warranty_status`: `none` (no warranty), `active` or `expiring_soon` (in force, fewer
  than the policy's `warranty_soon_days` left), `not_started` (one starts later),
  `expired`; `under_warranty` is true while one is in force.

Both tables keep their history, so the installed base reads as it stood at a time (V9).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.asset import Asset
from projections.base import Folded
from projections.schema import Table
from projections.snapshot import literal, table_at

ASSETS = Table(
    "assets",
    [
        ("asset_id", "text"),
        ("customer_id", "text"),
        ("product_ref", "text"),
        ("description", "text"),
        ("serial_number", "text"),
        ("site", "text"),
        ("contract_id", "text"),
        ("configuration_revision", "int"),
        ("customer_warranty_start", "date"),
        ("customer_warranty_end", "date"),
        ("manufacturer_warranty_start", "date"),
        ("manufacturer_warranty_end", "date"),
        ("service_cases", "int"),
        ("open_service_cases", "int"),
        ("registered_at", "timestamp"),
        ("updated_at", "timestamp"),
        ("version", "int"),
        ("position", "int"),
    ],
)

ASSET_VERSIONS = Table(
    "asset_versions",
    [
        ("asset_id", "text"),
        ("component", "text"),
        ("version", "text"),
        ("position", "int"),
    ],
)

WARRANTY_STATUSES = ("none", "active", "expiring_soon", "not_started", "expired")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _dates(asset: Asset, kind: str) -> tuple[date | None, date | None]:
    warranty = asset.warranties.get(kind)
    return (None, None) if warranty is None else (warranty.start, warranty.end)


class AssetsView:
    """One row per asset of the installed base."""

    table: Table = ASSETS
    key: str = "asset_id"
    document: type[Aggregate] = Asset
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        asset = folded.aggregate
        assert isinstance(asset, Asset)
        customer_start, customer_end = _dates(asset, "customer")
        maker_start, maker_end = _dates(asset, "manufacturer")
        return [
            {
                "asset_id": str(asset.id),
                "customer_id": str(asset.customer_id),
                "product_ref": asset.product_ref,
                "description": asset.description,
                "serial_number": asset.serial_number,
                "site": asset.site,
                "contract_id": _text(asset.contract_id),
                "configuration_revision": len(asset.configuration_history),
                "customer_warranty_start": customer_start,
                "customer_warranty_end": customer_end,
                "manufacturer_warranty_start": maker_start,
                "manufacturer_warranty_end": maker_end,
                "service_cases": len(asset.service_cases),
                "open_service_cases": len(asset.open_service_cases()),
                "registered_at": asset.created_on,
                "updated_at": asset.modified_on,
                "version": asset.version,
                "position": folded.position,
            }
        ]


class AssetVersionsView:
    """One row per component of an asset's configuration, with the version installed."""

    table: Table = ASSET_VERSIONS
    key: str = "asset_id"
    document: type[Aggregate] = Asset
    history: bool = True

    def rows(self, folded: Folded) -> list[dict[str, Any]]:
        asset = folded.aggregate
        assert isinstance(asset, Asset)
        return [
            {
                "asset_id": str(asset.id),
                "component": component,
                "version": version,
                "position": folded.position,
            }
            for component, version in sorted(asset.configuration.items())
        ]


def _in_force(kind: str, today: str) -> str:
    return f"({today} BETWEEN {kind}_warranty_start AND {kind}_warranty_end)"


def assets_source(today: date, soon_days: int, as_of: datetime | None = None) -> str:
    """The assets (as they stood at `as_of`) with their configuration as a map and their
    warranty columns on `today`, as a table expression to select from."""
    day, soon = literal(today), literal(soon_days)
    maker, customer = _in_force("manufacturer", day), _in_force("customer", day)
    return f"""(
    SELECT *,
        CASE
            WHEN customer_warranty_end IS NULL AND manufacturer_warranty_end IS NULL
                THEN 'none'
            WHEN covered_until IS NOT NULL AND warranty_days_left < {soon} THEN 'expiring_soon'
            WHEN covered_until IS NOT NULL THEN 'active'
            WHEN {day} < customer_warranty_start OR {day} < manufacturer_warranty_start
                THEN 'not_started'
            ELSE 'expired'
        END AS warranty_status,
        covered_until IS NOT NULL AS under_warranty
    FROM (
        SELECT *, date_diff('day', {day}, covered_until) AS warranty_days_left
        FROM (
            SELECT a.*,
                coalesce(v.configuration, MAP {{}}::MAP(VARCHAR, VARCHAR)) AS configuration,
                CASE WHEN {maker} THEN 'manufacturer' WHEN {customer} THEN 'customer' END
                    AS covered_by,
                greatest(
                    CASE WHEN {maker} THEN manufacturer_warranty_end END,
                    CASE WHEN {customer} THEN customer_warranty_end END
                ) AS covered_until
            FROM {table_at("assets", as_of)} AS a
            LEFT JOIN (
                SELECT asset_id, map_from_entries(
                    list({{'key': component, 'value': version}} ORDER BY component)
                ) AS configuration
                FROM {versions_at(as_of)} AS c GROUP BY asset_id
            ) AS v USING (asset_id)
        )
    )
)"""


def versions_at(as_of: datetime | None = None) -> str:
    """The `asset_versions` rows (as they stood at `as_of`), as a table expression."""
    return table_at("asset_versions", as_of)


def installed(
    component: str | None, version: str | None, as_of: datetime | None
) -> tuple[str, Any]:
    """A condition on `asset_id` with its one parameter: the asset has this version of this
    component installed, or this component (any version), or this version (any component)."""
    value: Any
    if component is not None and version is not None:
        test, value = "[component, version] = ?", [component, version]
    elif component is not None:
        test, value = "component = ?", component
    else:
        test, value = "version = ?", version
    return f"asset_id IN (SELECT asset_id FROM {versions_at(as_of)} WHERE {test})", value
