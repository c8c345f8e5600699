"""Customer commands (U1, U2): one method per verb, no business rule here.

VAT numbers go through `adapters.vat` (form and check digits) before they reach the
domain, which stores the compact form it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters import identifiers as ids
from adapters.vat import check_vat_number
from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.customer import Address, Contact, Customer, CustomerStatus


def _compact_vat(vat_number: str | None) -> str | None:
    return None if vat_number is None else check_vat_number(vat_number)


@dataclass(frozen=True)
class SetLegalIdentity:
    """The buyer's identity for invoices, as typed (identifiers in any spacing)."""

    legal_name: str | None = None
    siren: str | None = None
    siret: str | None = None


class CustomerCommands:
    """Use cases of the Customer aggregate."""

    def __init__(self, runner: CommandRunner, inactive_after_months: int = 18) -> None:
        self.runner = runner
        self.inactive_after_months = inactive_after_months

    def get(self, customer_id: UUID, version: int | None = None) -> Customer:
        """The customer as it stands now, or as it stood at `version`."""
        customer = self.runner.load(Customer, customer_id)
        if version is None or version == customer.version:
            return customer
        return self.runner.load_version(Customer, customer_id, version)

    def register(
        self,
        ctx: CommandContext,
        *,
        name: str,
        status: CustomerStatus | str = CustomerStatus.PROSPECT,
        vat_number: str | None = None,
        credit_limit: Decimal | None = None,
        currency: str = "EUR",
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "name": name,
            "status": str(status),
            "vat_number": vat_number,
            "credit_limit": credit_limit,
            "currency": currency,
        }
        compact = _compact_vat(vat_number)

        def build() -> Outcome:
            customer = Customer.register(at=ctx.at, **{**fields, "vat_number": compact})
            return Outcome([customer])

        return self.runner.run(ctx, "customer.register", fields, build)

    def qualify(self, ctx: CommandContext, customer_id: UUID) -> CommandResult:
        return self._verb(ctx, customer_id, "qualify", {}, lambda c: c.qualify(at=ctx.at))

    def make_customer(self, ctx: CommandContext, customer_id: UUID) -> CommandResult:
        return self._verb(
            ctx, customer_id, "make_customer", {}, lambda c: c.make_customer(at=ctx.at)
        )

    def abandon(self, ctx: CommandContext, customer_id: UUID) -> CommandResult:
        """Give up on a prospect; the command's reason is the abandon reason."""
        return self._verb(
            ctx, customer_id, "abandon", {}, lambda c: c.abandon(at=ctx.at, reason=ctx.reason or "")
        )

    def reactivate(self, ctx: CommandContext, customer_id: UUID) -> CommandResult:
        return self._verb(ctx, customer_id, "reactivate", {}, lambda c: c.reactivate(at=ctx.at))

    def mark_inactive(
        self, ctx: CommandContext, customer_id: UUID, *, last_quote_at: datetime | None
    ) -> CommandResult:
        """Mark a quiet customer inactive (U2), given the date of its last quote.

        The caller passes `last_quote_at` for now; once the quotes read model exists,
        the scheduled job will read each customer's last quote date from it and pass it
        here, so the domain still decides on a value.
        """
        months = self.inactive_after_months
        return self._verb(
            ctx,
            customer_id,
            "mark_inactive",
            {"last_quote_at": last_quote_at, "months": months},
            lambda c: c.mark_inactive(
                at=ctx.at, last_quote_at=last_quote_at, today=ctx.at.date(), months=months
            ),
        )

    def set_credit_limit(
        self, ctx: CommandContext, customer_id: UUID, credit_limit: Decimal | None
    ) -> CommandResult:
        return self._verb(
            ctx,
            customer_id,
            "set_credit_limit",
            {"credit_limit": credit_limit},
            lambda c: c.set_credit_limit(at=ctx.at, credit_limit=credit_limit),
        )

    def set_vat_number(
        self, ctx: CommandContext, customer_id: UUID, vat_number: str | None
    ) -> CommandResult:
        compact = _compact_vat(vat_number)
        return self._verb(
            ctx,
            customer_id,
            "set_vat_number",
            {"vat_number": vat_number},
            lambda c: c.set_vat_number(at=ctx.at, vat_number=compact),
        )

    def set_legal_identity(
        self, ctx: CommandContext, customer_id: UUID, command: SetLegalIdentity
    ) -> CommandResult:
        """Legal name, SIREN and SIRET for invoices, checked with python-stdnum."""
        siren = ids.optional(ids.siren, command.siren, "siren")
        siret = ids.optional(ids.siret, command.siret, "siret")
        return self._verb(
            ctx,
            customer_id,
            "set_legal_identity",
            {"identity": command},
            lambda c: c.set_legal_identity(ctx.at, command.legal_name, siren, siret),
        )

    def add_address(
        self,
        ctx: CommandContext,
        customer_id: UUID,
        address: Address,
        address_id: str | None = None,
    ) -> CommandResult:
        """Add an address under the id given, or the first free `A<n>`."""

        def build() -> Outcome:
            customer = self.runner.load(Customer, customer_id, ctx)
            new_id = address_id if address_id is not None else _free_id(customer.addresses)
            customer.add_address(at=ctx.at, address_id=new_id, address=address)
            return Outcome([customer], {"address_id": new_id})

        payload = {"customer_id": customer_id, "address_id": address_id, "address": address}
        return self.runner.run(ctx, "customer.add_address", payload, build)

    def change_address(
        self, ctx: CommandContext, customer_id: UUID, address_id: str, address: Address
    ) -> CommandResult:
        return self._verb(
            ctx,
            customer_id,
            "change_address",
            {"address_id": address_id, "address": address},
            lambda c: c.change_address(at=ctx.at, address_id=address_id, address=address),
            {"address_id": address_id},
        )

    def add_contact(
        self, ctx: CommandContext, customer_id: UUID, contact: Contact
    ) -> CommandResult:
        return self._verb(
            ctx,
            customer_id,
            "add_contact",
            {"contact": contact},
            lambda c: c.add_contact(at=ctx.at, contact=contact),
        )

    def _verb(
        self,
        ctx: CommandContext,
        customer_id: UUID,
        name: str,
        fields: dict[str, Any],
        verb: Callable[[Customer], None],
        result: dict[str, str] | None = None,
    ) -> CommandResult:
        def build() -> Outcome:
            customer = self.runner.load(Customer, customer_id, ctx)
            verb(customer)
            return Outcome([customer], dict(result or {}))

        payload = {"customer_id": customer_id, **fields}
        return self.runner.run(ctx, f"customer.{name}", payload, build)


def _free_id(taken: dict[str, Address]) -> str:
    n = len(taken) + 1
    while f"A{n}" in taken:
        n += 1
    return f"A{n}"
