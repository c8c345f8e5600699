"""Quote commands (Q1, Q2, Q4): one method per verb, no business rule here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.quote import Quote
from domain.values import Discount


class QuoteCommands:
    """Use cases of the Quote aggregate."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def get(self, quote_id: UUID, version: int | None = None) -> Quote:
        """The quote as it stands now, or as it stood at `version`."""
        quote = self.runner.load(Quote, quote_id)
        if version is None or version == quote.version:
            return quote
        return self.runner.load_version(Quote, quote_id, version)

    def draft(
        self,
        ctx: CommandContext,
        *,
        currency: str,
        customer_id: UUID | None = None,
        prospect: str | None = None,
        valid_until: date | None = None,
        salesperson: str | None = None,
        title: str = "",
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "currency": currency,
            "customer_id": customer_id,
            "prospect": prospect,
            "valid_until": valid_until,
            "salesperson": salesperson,
            "title": title,
        }
        return self.runner.run(
            ctx, "quote.draft", fields, lambda: Outcome([Quote.draft(at=ctx.at, **fields)])
        )

    def add_line(
        self,
        ctx: CommandContext,
        quote_id: UUID,
        *,
        description: str,
        quantity: Decimal,
        unit_price: Decimal,
        vat_rate: Decimal,
        unit: str = "unit",
        product_ref: str | None = None,
        discount: Discount | None = None,
        unit_cost: Decimal | None = None,
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "description": description,
            "quantity": quantity,
            "unit_price": unit_price,
            "vat_rate": vat_rate,
            "unit": unit,
            "product_ref": product_ref,
            "discount": discount,
            "unit_cost": unit_cost,
        }

        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            line_id = quote.add_line(at=ctx.at, **fields)
            return Outcome([quote], {"line_id": line_id})

        return self.runner.run(ctx, "quote.add_line", {"quote_id": quote_id, **fields}, build)

    def change_line(
        self, ctx: CommandContext, quote_id: UUID, line_id: str, changes: dict[str, Any]
    ) -> CommandResult:
        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            quote.change_line(line_id, at=ctx.at, **changes)
            return Outcome([quote], {"line_id": line_id})

        payload = {"quote_id": quote_id, "line_id": line_id, **changes}
        return self.runner.run(ctx, "quote.change_line", payload, build)

    def remove_line(self, ctx: CommandContext, quote_id: UUID, line_id: str) -> CommandResult:
        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            quote.remove_line(line_id, at=ctx.at)
            return Outcome([quote], {"line_id": line_id})

        payload = {"quote_id": quote_id, "line_id": line_id}
        return self.runner.run(ctx, "quote.remove_line", payload, build)

    def send(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        return self._verb(ctx, quote_id, "send", lambda q: q.send(at=ctx.at))

    def accept(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        return self._verb(ctx, quote_id, "accept", lambda q: q.accept(at=ctx.at))

    def decline(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        return self._verb(
            ctx, quote_id, "decline", lambda q: q.decline(at=ctx.at, reason=ctx.reason)
        )

    def _verb(self, ctx: CommandContext, quote_id: UUID, name: str, verb: Any) -> CommandResult:
        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            verb(quote)
            return Outcome([quote])

        return self.runner.run(ctx, f"quote.{name}", {"quote_id": quote_id}, build)
