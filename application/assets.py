"""Asset commands (S1–S5): one method per verb, no business rule here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from application.asset_billing import ServiceCaseBilling
from application.commands import CommandResult, CommandRunner, Outcome
from application.contracts import change_coverage
from application.invoice_issuing import InvoiceIssuer
from application.journal import CommandContext, ResultValue
from domain.asset import Asset, ServiceCaseStatus
from domain.warranty import WarrantyKind, WarrantyStatus, days_remaining


@dataclass(frozen=True)
class WarrantyState:
    """A warranty of the asset as of a day: its status and the days it has left."""

    kind: WarrantyKind
    start: date
    end: date
    status: WarrantyStatus
    days_remaining: int


class AssetCommands(ServiceCaseBilling):
    """Use cases of the Asset aggregate; a case's labour, parts and invoice are in
    `application.asset_billing`."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.issuer = InvoiceIssuer(runner)

    def get(self, asset_id: UUID, version: int | None = None) -> Asset:
        """The asset as it stands now, or as it stood at `version`."""
        asset = self.runner.load(Asset, asset_id)
        if version is None or version == asset.version:
            return asset
        return self.runner.load_version(Asset, asset_id, version)

    def warranties(self, asset: Asset, today: date) -> list[WarrantyState]:
        """Each warranty of the asset with its status on `today`, by the company's policy."""
        app: Any = self.runner.app
        soon_days: int = app.policies.warranty_soon_days
        states = []
        for kind in WarrantyKind:
            warranty = asset.warranties.get(str(kind))
            status = asset.warranty_status(kind, today, soon_days)
            if warranty is None or status is None:
                continue
            remaining = days_remaining(warranty.end, today)
            states.append(WarrantyState(kind, warranty.start, warranty.end, status, remaining))
        return states

    # --- S1 record and configuration ------------------------------------------------------

    def register(
        self,
        ctx: CommandContext,
        *,
        customer_id: UUID,
        product_ref: str,
        description: str,
        site: str,
        serial_number: str | None = None,
        configuration: dict[str, str] | None = None,
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "customer_id": customer_id,
            "product_ref": product_ref,
            "description": description,
            "serial_number": serial_number,
            "site": site,
            "configuration": dict(configuration or {}),
        }
        return self.runner.run(
            ctx, "asset.register", fields, lambda: Outcome([Asset.register(at=ctx.at, **fields)])
        )

    def change_configuration(
        self,
        ctx: CommandContext,
        asset_id: UUID,
        *,
        changes: dict[str, str | None],
        reason: str,
    ) -> CommandResult:
        """Set or remove configuration keys; a change that changes nothing records nothing."""

        def build() -> Outcome:
            asset = self.runner.load(Asset, asset_id, ctx)
            number = asset.change_configuration(at=ctx.at, changes=dict(changes), reason=reason)
            return Outcome([asset], {"changed": number is not None, "revision": number})

        payload = {"asset_id": asset_id, "changes": dict(changes), "reason": reason}
        return self.runner.run(ctx, "asset.change_configuration", payload, build)

    # --- S2 warranties --------------------------------------------------------------------

    def set_warranty(
        self, ctx: CommandContext, asset_id: UUID, *, kind: WarrantyKind, start: date, end: date
    ) -> CommandResult:
        payload = {"asset_id": asset_id, "kind": kind, "start": start, "end": end}
        return self._verb(
            ctx,
            "set_warranty",
            payload,
            lambda a: a.set_warranty(at=ctx.at, kind=kind, start=start, end=end),
        )

    # --- S3/S4 service cases and their checklists ----------------------------------------

    def open_service_case(
        self, ctx: CommandContext, asset_id: UUID, *, problem: str
    ) -> CommandResult:
        """Take the asset in for service; the result names the new case."""

        def build() -> Outcome:
            asset = self.runner.load(Asset, asset_id, ctx)
            case_id = asset.open_service_case(at=ctx.at, problem=problem)
            case = asset.service_case(case_id)
            kind = None if case.warranty_kind is None else str(case.warranty_kind)
            result: dict[str, ResultValue] = {
                "case_id": str(case_id),
                "under_warranty": case.under_warranty,
                "warranty_kind": kind,
            }
            return Outcome([asset], result)

        payload = {"asset_id": asset_id, "problem": problem}
        return self.runner.run(ctx, "asset.open_service_case", payload, build)

    def diagnose(
        self, ctx: CommandContext, asset_id: UUID, case_id: UUID, *, diagnosis: str
    ) -> CommandResult:
        payload = {"asset_id": asset_id, "case_id": case_id, "diagnosis": diagnosis}
        return self._verb(
            ctx,
            "diagnose",
            payload,
            lambda a: a.diagnose(at=ctx.at, case_id=case_id, diagnosis=diagnosis),
        )

    def advance(
        self, ctx: CommandContext, asset_id: UUID, case_id: UUID, *, to: ServiceCaseStatus
    ) -> CommandResult:
        payload = {"asset_id": asset_id, "case_id": case_id, "to": to}
        return self._verb(
            ctx, "advance", payload, lambda a: a.advance(at=ctx.at, case_id=case_id, to=to)
        )

    def return_to_customer(
        self, ctx: CommandContext, asset_id: UUID, case_id: UUID
    ) -> CommandResult:
        payload = {"asset_id": asset_id, "case_id": case_id}
        return self._verb(
            ctx,
            "return_to_customer",
            payload,
            lambda a: a.return_to_customer(at=ctx.at, case_id=case_id),
        )

    def add_checklist_point(
        self, ctx: CommandContext, asset_id: UUID, case_id: UUID, *, point_id: str, label: str
    ) -> CommandResult:
        payload = {"asset_id": asset_id, "case_id": case_id, "point_id": point_id, "label": label}
        return self._verb(
            ctx,
            "add_checklist_point",
            payload,
            lambda a: a.add_checklist_point(
                at=ctx.at, case_id=case_id, point_id=point_id, label=label
            ),
        )

    def check_point(
        self, ctx: CommandContext, asset_id: UUID, case_id: UUID, point_id: str
    ) -> CommandResult:
        """Record that the command's actor validated the point; nobody else is named."""
        payload = {"asset_id": asset_id, "case_id": case_id, "point_id": point_id}
        return self._verb(
            ctx,
            "check_point",
            payload,
            lambda a: a.check_point(at=ctx.at, case_id=case_id, point_id=point_id, by=ctx.actor),
        )

    # --- S5 maintenance contract ----------------------------------------------------------

    def link_contract(
        self, ctx: CommandContext, asset_id: UUID, contract_id: UUID
    ) -> CommandResult:
        """Link the contract and have it cover the asset, both saved together."""
        return change_coverage(
            self.runner, ctx, contract_id, asset_id, covered=True, from_asset=True
        )

    def unlink_contract(
        self, ctx: CommandContext, asset_id: UUID, contract_id: UUID
    ) -> CommandResult:
        """Unlink the contract and have it stop covering the asset, both saved together."""
        return change_coverage(
            self.runner, ctx, contract_id, asset_id, covered=False, from_asset=True
        )

    def _verb(
        self,
        ctx: CommandContext,
        name: str,
        payload: dict[str, Any],
        verb: Callable[[Asset], None],
    ) -> CommandResult:
        asset_id: UUID = payload["asset_id"]

        def build() -> Outcome:
            asset = self.runner.load(Asset, asset_id, ctx)
            verb(asset)
            return Outcome([asset])

        return self.runner.run(ctx, f"asset.{name}", payload, build)
