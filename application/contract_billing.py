"""Billing contract periods (C1, issue 14): each period billed once, with its invoice.

Billing a period issues its invoice in the same command: the invoice (drafted, listed
for the customer, numbered and issued by `InvoiceIssuer`) and the contract's record of
the period, which names the invoice, are saved in one transaction or not at all. The
contract's billed-period record is the guard: a period already billed issues nothing and
the command reports the invoice it was billed with, so retries, duplicated jobs and two
billers at once end with one invoice and one number. No business rule lives here.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from application.commands import CommandResult, CommandRunner, Outcome
from application.errors import ConcurrentUpdate
from application.invoice_issuing import InvoiceIssuer, issue_date_of
from application.journal import CommandContext, ResultValue
from application.numbers import money_text
from domain.contract import BilledPeriod, Contract
from domain.contract_billing import period_details
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import PaymentTerms

# A concurrent writer may have billed the same period; billing again then finds it.
BILL_ATTEMPTS = 3


def billed_result(record: BilledPeriod, already: bool, currency: str) -> dict[str, ResultValue]:
    """What a bill command reports: the period, its totals and the invoice it issued."""
    result: dict[str, ResultValue] = {
        "period_index": record.period_index,
        "period_start": record.period_start.isoformat(),
        "period_end": record.period_end.isoformat(),
        "net": money_text(record.net, currency),
        "vat": money_text(record.vat, currency),
        "gross": money_text(record.gross, currency),
        "already_billed": already,
    }
    if record.invoice_ref is not None:
        result["invoice_ref"] = record.invoice_ref
    if record.invoice_id is not None and record.invoice_number is not None:
        result["invoice_id"] = str(record.invoice_id)
        result["invoice_number"] = record.invoice_number
    return result


class ContractBilling:
    """Use cases of a contract's billing: one period, or every period due."""

    runner: CommandRunner
    issuer: InvoiceIssuer

    def bill(
        self,
        ctx: CommandContext,
        contract_id: UUID,
        period_index: int,
        invoice_ref: str | None = None,
        *,
        issue_date: date | None = None,
        payment_terms: PaymentTerms | None = None,
    ) -> CommandResult:
        """Bill one period and issue its invoice dated `issue_date` (the command's day
        when None); a period already billed records nothing and reports its record."""
        day = issue_date_of(ctx.at.date() if issue_date is None else issue_date)

        def build() -> Outcome:
            contract = self.runner.load(Contract, contract_id, ctx)
            done = contract.billed.get(str(period_index))
            if done is not None:
                return Outcome([contract], billed_result(done, True, contract.currency))
            period = contract.to_bill(ctx.at, period_index)
            issued = self.issuer.issue_new(
                ctx,
                customer_id=contract.customer_id,
                lines=period.lines,
                details=period_details(period, payment_terms),
                issue_date=day,
                source=InvoiceSource(SourceKind.CONTRACT_PERIOD, contract.id, str(period_index)),
                currency=contract.currency,
            )
            record = contract.bill(
                ctx.at,
                period_index,
                invoice_ref,
                invoice_id=issued.invoice.id,
                invoice_number=issued.number,
            )
            aggregates = [contract, *issued.aggregates]
            return Outcome(
                aggregates, billed_result(record, False, contract.currency), issued.claims
            )

        payload: dict[str, Any] = {
            "contract_id": contract_id,
            "period_index": period_index,
            "invoice_ref": invoice_ref,
            "issue_date": day,
            "payment_terms": None if payment_terms is None else asdict(payment_terms),
        }
        for attempt in range(BILL_ATTEMPTS):
            try:
                return self.runner.run(ctx, "contract.bill", payload, build)
            except ConcurrentUpdate:
                if attempt == BILL_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def bill_due(
        self,
        ctx: CommandContext,
        contract_id: UUID,
        today: date,
        *,
        payment_terms: PaymentTerms | None = None,
    ) -> list[CommandResult]:
        """Bill every period due by `today` and not yet billed, each as its own command
        issuing its invoice dated `today`.

        With an idempotency key, each period's command gets the key suffixed with its
        index, so a retry bills nothing twice and replays what it finds.
        """
        contract = self.runner.load(Contract, contract_id, ctx)
        results = []
        for index in contract.billable_periods(today):
            key = ctx.idempotency_key
            one = replace(
                ctx,
                idempotency_key=None if key is None else f"{key}:period-{index}",
                expected_version=None,
                command_id=uuid4(),
            )
            results.append(
                self.bill(one, contract_id, index, issue_date=today, payment_terms=payment_terms)
            )
        return results
