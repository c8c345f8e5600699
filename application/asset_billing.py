"""A service case's labour, parts and invoice (S3, issue 14): one method per verb.

Invoicing a case issues its invoice (drafted, listed for the asset's customer, numbered
and issued by `InvoiceIssuer`) and records it on the case in the same transaction; the
case refuses a second invoice (`ServiceCaseAlreadyInvoiced`). No business rule here.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import CommandResult, CommandRunner, Outcome
from application.invoice_issuing import InvoiceIssuer, issue_date_of
from application.journal import CommandContext
from domain.asset import Asset, ServiceCase
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_terms import PaymentTerms
from domain.service_billing import ServiceLabour, ServicePart, case_details

DEFAULT_VAT_RATE = Decimal(20)


def case_note(asset: Asset, case: ServiceCase) -> str:
    """What the invoice says of the case: the asset, its serial number, the problem."""
    serial = "" if asset.serial_number is None else f" (n° de série {asset.serial_number})"
    return f"Intervention SAV sur {asset.product_ref}{serial} : {case.problem}"


class ServiceCaseBilling:
    """Use cases of a service case's labour, parts and invoice."""

    runner: CommandRunner
    issuer: InvoiceIssuer

    def record_labour(
        self,
        ctx: CommandContext,
        asset_id: UUID,
        case_id: UUID,
        *,
        description: str,
        hours: Decimal,
        hourly_rate: Decimal,
        billable: bool | None = None,
    ) -> CommandResult:
        """Record hours spent on a case; billable unless the case is under warranty, when
        `billable` is None."""

        def build() -> Outcome:
            asset = self.runner.load(Asset, asset_id, ctx)
            chosen = asset.billable_by_default(case_id) if billable is None else billable
            labour = ServiceLabour(description, hours, hourly_rate, chosen)
            asset.record_labour(ctx.at, case_id, labour)
            return Outcome([asset], {"case_id": str(case_id), "billable": chosen})

        payload = {
            "asset_id": asset_id,
            "case_id": case_id,
            "description": description,
            "hours": hours,
            "hourly_rate": hourly_rate,
            "billable": billable,
        }
        return self.runner.run(ctx, "asset.record_labour", payload, build)

    def record_part(
        self,
        ctx: CommandContext,
        asset_id: UUID,
        case_id: UUID,
        *,
        description: str,
        quantity: Decimal,
        unit_price: Decimal,
        billable: bool | None = None,
        product_ref: str | None = None,
    ) -> CommandResult:
        """Record a part fitted on a case; billable unless the case is under warranty,
        when `billable` is None."""

        def build() -> Outcome:
            asset = self.runner.load(Asset, asset_id, ctx)
            chosen = asset.billable_by_default(case_id) if billable is None else billable
            part = ServicePart(description, quantity, unit_price, chosen, product_ref)
            asset.record_part(ctx.at, case_id, part)
            return Outcome([asset], {"case_id": str(case_id), "billable": chosen})

        payload = {
            "asset_id": asset_id,
            "case_id": case_id,
            "description": description,
            "quantity": quantity,
            "unit_price": unit_price,
            "billable": billable,
            "product_ref": product_ref,
        }
        return self.runner.run(ctx, "asset.record_part", payload, build)

    def invoice_service_case(
        self,
        ctx: CommandContext,
        asset_id: UUID,
        case_id: UUID,
        *,
        issue_date: date,
        vat_rate: Decimal = DEFAULT_VAT_RATE,
        payment_terms: PaymentTerms | None = None,
    ) -> CommandResult:
        """Issue the case's invoice of its billable labour and parts, dated `issue_date`,
        to the asset's customer; the case records it."""
        day = issue_date_of(issue_date)

        def build() -> Outcome:
            asset = self.runner.load(Asset, asset_id, ctx)
            lines = asset.to_invoice(case_id, vat_rate)
            case = asset.service_case(case_id)
            has_parts = any(part.billable for part in case.parts)
            issued = self.issuer.issue_new(
                ctx,
                customer_id=asset.customer_id,
                lines=lines,
                details=case_details(case_note(asset, case), has_parts, payment_terms),
                issue_date=day,
                source=InvoiceSource(SourceKind.SERVICE_CASE, asset.id, str(case_id)),
            )
            asset.invoice_case(ctx.at, case_id, issued.invoice.id, issued.number)
            result = {
                "case_id": str(case_id),
                "invoice_id": str(issued.invoice.id),
                "invoice_number": issued.number,
            }
            return Outcome([asset, *issued.aggregates], result, issued.claims)

        payload: dict[str, Any] = {
            "asset_id": asset_id,
            "case_id": case_id,
            "issue_date": day,
            "vat_rate": vat_rate,
            "payment_terms": None if payment_terms is None else asdict(payment_terms),
        }
        return self.runner.run(ctx, "asset.invoice_service_case", payload, build)
