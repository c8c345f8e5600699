"""Contract commands (C1–C5): one method per verb, no business rule here.

Covering an asset (C2) and linking the contract on the asset (S5) are one command
that saves both aggregates in one transaction, whichever side it is issued from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.contract_billing import ContractBilling
from application.invoice_issuing import InvoiceIssuer
from application.journal import CommandContext, ResultValue
from domain.asset import Asset
from domain.contract import (
    Contract,
    ContractKind,
    ContractLine,
    ContractStatus,
)
from domain.errors import InvalidInput
from domain.periods import Frequency, period_end, period_start


@dataclass(frozen=True)
class NextPeriod:
    """The next period the contract will bill, with the lines in force on its first day."""

    period_index: int
    period_start: date
    period_end: date
    lines: list[ContractLine]


@dataclass(frozen=True)
class AmendmentChange:
    """One amendment recorded between two versions: the lines before and after it."""

    version: int
    number: int
    effective: date
    reason: str
    lines_before: list[ContractLine]
    lines_after: list[ContractLine]


def change_coverage(
    runner: CommandRunner,
    ctx: CommandContext,
    contract_id: UUID,
    asset_id: UUID,
    *,
    covered: bool,
    from_asset: bool = False,
) -> CommandResult:
    """Cover (or uncover) an asset and link (or unlink) the contract on it, in one command.

    `from_asset` makes the asset the command's primary document (its version is the one
    the client's If-Match is checked against and the one reported).
    """

    def build() -> Outcome:
        contract = runner.load(Contract, contract_id, None if from_asset else ctx)
        asset = runner.load(Asset, asset_id, ctx if from_asset else None)
        if covered:
            contract.cover_asset(at=ctx.at, asset_id=asset_id)
            asset.link_contract(at=ctx.at, contract_id=contract_id)
        else:
            contract.uncover_asset(at=ctx.at, asset_id=asset_id)
            asset.unlink_contract(at=ctx.at, contract_id=contract_id)
        result: dict[str, ResultValue] = {
            "contract_id": str(contract.id),
            "contract_version": contract.version,
            "asset_id": str(asset.id),
            "asset_version": asset.version,
        }
        pair: list[Any] = [asset, contract] if from_asset else [contract, asset]
        return Outcome(pair, result)

    if from_asset:
        name = "asset.link_contract" if covered else "asset.unlink_contract"
    else:
        name = "contract.cover_asset" if covered else "contract.uncover_asset"
    payload = {"contract_id": contract_id, "asset_id": asset_id}
    return runner.run(ctx, name, payload, build)


class ContractCommands(ContractBilling):
    """Use cases of the Contract aggregate; billing is in `application.contract_billing`."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner
        self.issuer = InvoiceIssuer(runner)

    def get(self, contract_id: UUID, version: int | None = None) -> Contract:
        """The contract as it stands now, or as it stood at `version`."""
        contract = self.runner.load(Contract, contract_id)
        if version is None or version == contract.version:
            return contract
        return self.runner.load_version(Contract, contract_id, version)

    # --- C1 signing and billing ---------------------------------------------------------

    def sign(
        self,
        ctx: CommandContext,
        *,
        customer_id: UUID,
        currency: str,
        lines: list[ContractLine],
        frequency: Frequency,
        start: date,
        end: date | None = None,
        notice_days: int = 30,
        kind: ContractKind = ContractKind.SERVICE,
        covered_asset_ids: list[UUID] | None = None,
    ) -> CommandResult:
        """Sign a contract; the assets it covers are linked to it in the same command."""
        fields: dict[str, Any] = {
            "customer_id": customer_id,
            "currency": currency,
            "lines": list(lines),
            "frequency": frequency,
            "start": start,
            "end": end,
            "notice_days": notice_days,
            "kind": kind,
            "covered_asset_ids": list(covered_asset_ids or []),
        }

        def build() -> Outcome:
            contract = Contract.sign(at=ctx.at, **fields)
            assets = [self.runner.load(Asset, a) for a in contract.covered_asset_ids]
            for asset in assets:
                asset.link_contract(at=ctx.at, contract_id=contract.id)
            return Outcome([contract, *assets])

        return self.runner.run(ctx, "contract.sign", fields, build)

    # --- C4 amendments, C3 renewal, termination, suspension ------------------------------

    def amend(
        self,
        ctx: CommandContext,
        contract_id: UUID,
        *,
        effective: date,
        lines: list[ContractLine],
        reason: str,
    ) -> CommandResult:
        def build() -> Outcome:
            contract = self.runner.load(Contract, contract_id, ctx)
            number = contract.amend(at=ctx.at, effective=effective, reason=reason, lines=lines)
            return Outcome([contract], {"amendment": number})

        payload = {
            "contract_id": contract_id,
            "effective": effective,
            "lines": list(lines),
            "reason": reason,
        }
        return self.runner.run(ctx, "contract.amend", payload, build)

    def renew(
        self, ctx: CommandContext, contract_id: UUID, *, new_end: date, reason: str
    ) -> CommandResult:
        payload = {"contract_id": contract_id, "new_end": new_end, "reason": reason}
        return self._verb(
            ctx,
            "renew",
            payload,
            lambda c: c.renew(at=ctx.at, new_end=new_end, reason=reason),
        )

    def terminate(
        self, ctx: CommandContext, contract_id: UUID, *, effective: date, reason: str
    ) -> CommandResult:
        payload = {"contract_id": contract_id, "effective": effective, "reason": reason}
        return self._verb(
            ctx,
            "terminate",
            payload,
            lambda c: c.terminate(at=ctx.at, effective=effective, reason=reason),
        )

    def suspend(self, ctx: CommandContext, contract_id: UUID, *, reason: str) -> CommandResult:
        payload = {"contract_id": contract_id, "reason": reason}
        return self._verb(ctx, "suspend", payload, lambda c: c.suspend(at=ctx.at, reason=reason))

    def resume(self, ctx: CommandContext, contract_id: UUID) -> CommandResult:
        payload = {"contract_id": contract_id}
        return self._verb(ctx, "resume", payload, lambda c: c.resume(at=ctx.at))

    # --- C2 covered assets ----------------------------------------------------------------

    def cover_asset(self, ctx: CommandContext, contract_id: UUID, asset_id: UUID) -> CommandResult:
        """Cover the asset and link the contract on it, both saved together."""
        return change_coverage(self.runner, ctx, contract_id, asset_id, covered=True)

    def uncover_asset(
        self, ctx: CommandContext, contract_id: UUID, asset_id: UUID
    ) -> CommandResult:
        """Stop covering the asset and unlink the contract on it, both saved together."""
        return change_coverage(self.runner, ctx, contract_id, asset_id, covered=False)

    # --- queries ----------------------------------------------------------------------------

    def amendments_between(
        self, contract_id: UUID, from_version: int, to_version: int
    ) -> list[AmendmentChange]:
        """The amendments recorded after `from_version` up to `to_version`, each with the
        lines in force on its effective date just before and just after it."""
        if from_version < 1 or to_version < from_version:
            raise InvalidInput(
                f"compare a version with a later one, got {from_version} and {to_version}"
            )
        self.get(contract_id, from_version)
        self.get(contract_id, to_version)
        app: Any = self.runner.app
        changes = []
        for entry in app.history(contract_id):
            if not from_version < entry.version <= to_version:
                continue
            if not isinstance(entry.event, Contract.Amended):
                continue
            effective: date = entry.event.effective
            before = self.runner.load_version(Contract, contract_id, entry.version - 1)
            after = self.runner.load_version(Contract, contract_id, entry.version)
            changes.append(
                AmendmentChange(
                    version=entry.version,
                    number=entry.event.number,
                    effective=effective,
                    reason=entry.event.reason,
                    lines_before=before.lines_at(effective),
                    lines_after=after.lines_at(effective),
                )
            )
        return changes

    def _verb(
        self,
        ctx: CommandContext,
        name: str,
        payload: dict[str, Any],
        verb: Callable[[Contract], None],
    ) -> CommandResult:
        contract_id: UUID = payload["contract_id"]

        def build() -> Outcome:
            contract = self.runner.load(Contract, contract_id, ctx)
            verb(contract)
            return Outcome([contract])

        return self.runner.run(ctx, f"contract.{name}", payload, build)


def next_period(contract: Contract, limit: int = 100_000) -> NextPeriod | None:
    """The earliest period not billed that the contract will still bill, if any.

    None while suspended (the periods it skips are decided when it resumes) and once
    no period starts within the term.
    """
    if contract.status == ContractStatus.SUSPENDED:
        return None
    for index in range(limit):
        if str(index) in contract.billed or contract.skips_period(index):
            continue
        first = period_start(contract.start, contract.frequency, index)
        if not contract.runs_on(first):
            return None
        last = period_end(contract.start, contract.frequency, index)
        return NextPeriod(index, first, last, contract.lines_at(first))
    return None
