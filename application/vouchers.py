"""Voucher commands (S6, issue 14): issue a value voucher, cancel it, read it by id or by
code. Redemption is no command of its own: a payment by voucher redeems it in the
payment's command (`application.payments`), so the payment, its allocations and the
voucher's balance are recorded together or not at all.

The code is drawn here, at random (the domain has no source of randomness, as it has no
clock); the voucher's id is derived from it, so the store refuses a duplicate code.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from application.numbers import money_text
from domain.customer import Customer
from domain.voucher import CODE_ALPHABET, CODE_GROUPS, Voucher, voucher_id


def new_code() -> str:
    """A fresh voucher code: `VCH-` and 12 random characters (60 bits), in groups of 4."""
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(CODE_GROUPS))
    return "-".join(("VCH", *groups))


@dataclass(frozen=True)
class IssueVoucher:
    """A voucher of `amount` issued on `issue_date`, valid through `valid_until`; to the
    customer `customer_id`, or to bearer when None."""

    amount: Decimal
    currency: str
    issue_date: date
    valid_until: date
    customer_id: UUID | None = None
    reason: str | None = None


class VoucherCommands:
    """Use cases of the Voucher aggregate."""

    def __init__(self, runner: CommandRunner, codes: Callable[[], str] = new_code) -> None:
        self.runner = runner
        self.codes = codes

    def get(self, voucher: UUID, version: int | None = None) -> Voucher:
        """The voucher as it stands now, or as it stood at `version`."""
        current = self.runner.load(Voucher, voucher)
        if version is None or version == current.version:
            return current
        return self.runner.load_version(Voucher, voucher, version)

    def by_code(self, code: str) -> Voucher:
        """The voucher holding `code` (`InvalidVoucherCode` for text that is none)."""
        return self.runner.load(Voucher, voucher_id(code))

    def issue(self, ctx: CommandContext, command: IssueVoucher) -> CommandResult:
        """Issue a voucher under a fresh code; the result names the code."""

        def build() -> Outcome:
            if command.customer_id is not None:
                self.runner.load(Customer, command.customer_id)
            voucher = Voucher.issue(
                at=ctx.at,
                code=self.codes(),
                customer_id=command.customer_id,
                amount=command.amount,
                currency=command.currency,
                issue_date=command.issue_date,
                valid_until=command.valid_until,
                reason=command.reason,
            )
            return Outcome(
                [voucher],
                {"code": voucher.code, "balance": money_text(voucher.balance, voucher.currency)},
            )

        return self.runner.run(ctx, "voucher.issue", _payload(command), build)

    def cancel(self, ctx: CommandContext, voucher: UUID) -> CommandResult:
        """Cancel a voucher: what it had left is forfeited."""

        def build() -> Outcome:
            cancelled = self.runner.load(Voucher, voucher, ctx)
            forfeited = cancelled.balance
            cancelled.cancel(at=ctx.at)
            return Outcome([cancelled], {"forfeited": money_text(forfeited, cancelled.currency)})

        return self.runner.run(ctx, "voucher.cancel", {"voucher_id": voucher}, build)


def _payload(command: IssueVoucher) -> dict[str, object]:
    return {
        "amount": command.amount,
        "currency": command.currency,
        "issue_date": command.issue_date,
        "valid_until": command.valid_until,
        "customer_id": command.customer_id,
        "reason": command.reason,
    }
