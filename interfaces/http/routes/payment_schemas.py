"""Request and response bodies of the payment routes (issue 14): the request builds the
`RecordPayment` command the application takes whole."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from application.payments import RecordPayment
from domain.payment import Payment, PaymentMeans
from interfaces.http.routes.params import Day
from interfaces.http.schemas import Body, InCurrency, MoneyOut, PositiveAmount, ShortText


class AllocationIn(BaseModel):
    invoice_id: UUID
    amount: PositiveAmount = Field(examples=["600.00"])


class PaymentIn(Body):
    """A payment received from a customer, allocated to its issued invoices: as given,
    or the oldest due first when `allocations` is absent."""

    customer_id: UUID
    value_date: Day | None = Field(
        default=None,
        description="The day the money was received (today when absent; never later)",
        examples=["2026-11-02"],
    )
    amount: PositiveAmount = Field(examples=["1200.00"])
    currency: str | None = Field(
        default=None, min_length=3, max_length=3, description="The customer's when absent"
    )
    means: PaymentMeans = Field(description="How it was paid; `voucher` names `voucher_id`")
    voucher_id: UUID | None = Field(
        default=None, description="The voucher a payment by voucher spends (its amount)"
    )
    reference: ShortText | None = Field(default=None, examples=["VIR 2026-11-02 MARTIN"])
    allocations: list[AllocationIn] | None = Field(default=None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _each_invoice_once(self) -> PaymentIn:
        ids = [a.invoice_id for a in self.allocations or []]
        if len(ids) != len(set(ids)):
            raise ValueError("name each invoice once in allocations")
        return self

    def command(self, today: date) -> RecordPayment:
        allocations = self.allocations
        return RecordPayment(
            customer_id=self.customer_id,
            value_date=self.value_date or today,
            amount=self.amount,
            means=self.means,
            reference=self.reference,
            currency=self.currency,
            allocations=None
            if allocations is None
            else {a.invoice_id: a.amount for a in allocations},
            voucher_id=self.voucher_id,
        )


class AllocationView(BaseModel):
    invoice_id: UUID
    number: str
    amount: MoneyOut


class PaymentView(InCurrency):
    """A payment as it stands (or stood, at a version or a time)."""

    id: UUID
    version: int
    customer_id: UUID
    currency: str
    value_date: date
    amount: MoneyOut
    means: str
    voucher_id: UUID | None
    reference: str | None
    recorded_at: datetime
    allocations: list[AllocationView]

    @classmethod
    def of(cls, payment: Payment) -> PaymentView:
        return cls(
            id=payment.id,
            version=payment.version,
            customer_id=payment.customer_id,
            currency=payment.currency,
            value_date=payment.value_date,
            amount=payment.amount,
            means=payment.means,
            voucher_id=payment.voucher_id,
            reference=payment.reference,
            recorded_at=payment.recorded_at,
            allocations=[
                AllocationView(invoice_id=a.invoice_id, number=a.number, amount=a.amount)
                for a in payment.allocations
            ],
        )
