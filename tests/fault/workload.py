"""A steady mix of business commands for the fault tests: each round touches customers,
quotes, the pipeline, orders, contracts and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from application.app import Comptoir
from application.journal import CommandContext
from domain.contract import ContractLine
from domain.periods import Frequency
from tests.integration.company_support import establish_company

AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def ctx(key: str | None = None) -> CommandContext:
    return CommandContext(actor="load", at=AT, idempotency_key=key)


def business_round(app: Comptoir, n: int) -> int:
    """One customer's story: register, quote, sign, order, contract; returns commands run."""
    customer = app.customers.register(ctx(), name=f"Client {n}", currency="EUR").aggregate_id
    quote = app.quotes.draft(
        ctx(), currency="EUR", customer_id=customer, valid_until=date(2026, 12, 31)
    ).aggregate_id
    for i in range(2):
        app.quotes.add_line(
            ctx(),
            quote,
            description=f"Item {n}.{i}",
            quantity=Decimal(i + 1),
            unit_price=Decimal("49.90"),
            vat_rate=Decimal(20),
        )
    app.quotes.send(ctx(), quote)
    commands = 5
    if n % 3:
        app.quotes.accept(ctx(), quote)
        app.orders.convert_quote(ctx(), quote)
        commands += 2
    contract = sign_contract(app, customer, f"Maintenance {n}")
    if not app.company.exists():  # billing a period issues its invoice: the seller first
        establish_company(app)
        commands += 1
    app.contracts.bill(ctx(), contract, 0)
    return commands + 2


def sign_contract(app: Comptoir, customer: UUID, description: str) -> UUID:
    return app.contracts.sign(
        ctx(),
        customer_id=customer,
        currency="EUR",
        lines=[ContractLine(description, Decimal(1), Decimal("90.00"), Decimal(20))],
        frequency=Frequency.MONTH,
        start=date(2026, 10, 1),
    ).aggregate_id
