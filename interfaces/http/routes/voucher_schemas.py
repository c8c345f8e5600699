"""Request and response bodies of the voucher routes (S6, issue 14): the request builds
the `IssueVoucher` command the application takes whole."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from application.vouchers import IssueVoucher
from domain.voucher import Voucher, VoucherStatus
from interfaces.http.routes.params import Day
from interfaces.http.schemas import Body, InCurrency, MoneyOut, PositiveAmount


class VoucherIn(Body):
    """A value voucher: to a customer, or to bearer when `customer_id` is absent. The
    body's `reason` (why it is issued) is kept on the voucher and in the journal."""

    customer_id: UUID | None = Field(
        default=None, description="The only customer who may spend it; absent: to bearer"
    )
    amount: PositiveAmount = Field(examples=["50.00"])
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])
    issue_date: Day | None = Field(
        default=None,
        description="The day it is issued (today when absent; never later)",
        examples=["2026-11-02"],
    )
    valid_until: Day = Field(
        description="The last day it may be spent (on or after the issue date)",
        examples=["2027-11-02"],
    )

    def command(self, today: date) -> IssueVoucher:
        return IssueVoucher(
            amount=self.amount,
            currency=self.currency,
            issue_date=self.issue_date or today,
            valid_until=self.valid_until,
            customer_id=self.customer_id,
            reason=self.reason,
        )


class RedemptionView(BaseModel):
    payment_id: UUID
    customer_id: UUID
    amount: MoneyOut
    on_day: date


class VoucherView(InCurrency):
    """A voucher as it stands (or stood, at a version or a time)."""

    id: UUID
    version: int
    code: str
    customer_id: UUID | None
    to_bearer: bool
    amount: MoneyOut
    currency: str
    issue_date: date
    valid_until: date
    reason: str | None
    status: VoucherStatus
    redeemed: MoneyOut
    balance: MoneyOut
    forfeited: MoneyOut
    issued_at: datetime
    cancelled_at: datetime | None
    redemptions: list[RedemptionView]

    @classmethod
    def of(cls, voucher: Voucher) -> VoucherView:
        return cls(
            id=voucher.id,
            version=voucher.version,
            code=voucher.code,
            customer_id=voucher.customer_id,
            to_bearer=voucher.to_bearer,
            amount=voucher.amount,
            currency=voucher.currency,
            issue_date=voucher.issue_date,
            valid_until=voucher.valid_until,
            reason=voucher.reason,
            status=voucher.status,
            redeemed=voucher.redeemed,
            balance=voucher.balance,
            forfeited=voucher.forfeited,
            issued_at=voucher.issued_at,
            cancelled_at=voucher.cancelled_at,
            redemptions=[
                RedemptionView(
                    payment_id=r.payment_id,
                    customer_id=r.customer_id,
                    amount=r.amount,
                    on_day=r.on_day,
                )
                for r in voucher.redemptions
            ],
        )
