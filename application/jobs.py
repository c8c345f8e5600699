"""Scheduled jobs as plain functions: each is safe to run twice (dramatiq is at-least-once).

Every job command carries an idempotency key derived from the job, the document and
the day, so a retried or duplicated run replays instead of acting again; the domain
refuses what is no longer due (a quote already expired, a period already billed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from application.app import Comptoir
from application.journal import CommandContext
from domain.errors import DomainError
from domain.notice import NoticeKind
from domain.printed_document import PrintedKind
from domain.warranty import WarrantyStatus

log = logging.getLogger(__name__)

JOB_ACTOR = "scheduler"


@dataclass
class JobReport:
    """What one job did: documents changed, documents it found nothing to do for."""

    job: str
    done: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.job}: {self.done} done, {self.unchanged} unchanged, {len(self.refused)} refused"
        )


def job_context(job: str, document: UUID, now: datetime) -> CommandContext:
    return CommandContext(
        actor=JOB_ACTOR,
        at=now,
        reason=f"scheduled job {job}",
        idempotency_key=f"job:{job}:{document}:{now.date().isoformat()}",
    )


def expire_quotes(app: Comptoir, now: datetime, candidates: Iterable[UUID]) -> JobReport:
    """Record the expiry of each sent quote past its validity date (Q5)."""
    report = JobReport("expire-quotes")
    for quote_id in candidates:
        try:
            result = app.quotes.expire(job_context(report.job, quote_id, now), quote_id)
        except DomainError as error:
            report.refused.append(f"{quote_id}: {error}")
            continue
        if result.replayed:
            report.unchanged += 1
        else:
            report.done += 1
    return report


def bill_contracts(app: Comptoir, now: datetime, contracts: Iterable[UUID]) -> JobReport:
    """Bill every due period of every contract, each period exactly once (C1)."""
    report = JobReport("bill-contracts")
    for contract_id in contracts:
        try:
            results = app.contracts.bill_due(
                job_context(report.job, contract_id, now), contract_id, now.date()
            )
        except DomainError as error:
            report.refused.append(f"{contract_id}: {error}")
            continue
        billed = sum(1 for r in results if not r.replayed and r.position is not None)
        report.done += billed
        report.unchanged += 0 if billed else 1
    return report


def mark_inactive_customers(
    app: Comptoir, now: datetime, candidates: Iterable[tuple[UUID, datetime | None]]
) -> JobReport:
    """Mark customers with no quote for the configured months inactive (U2)."""
    report = JobReport("mark-inactive-customers")
    for customer_id, last_quote_at in candidates:
        try:
            result = app.customers.mark_inactive(
                job_context(report.job, customer_id, now), customer_id, last_quote_at=last_quote_at
            )
        except DomainError as error:
            report.unchanged += 1
            log.debug("customer %s stays active: %s", customer_id, error)
            continue
        if result.replayed:
            report.unchanged += 1
        else:
            report.done += 1
    return report


def flag_renewals(app: Comptoir, now: datetime, contracts: Iterable[UUID]) -> JobReport:
    """Raise a notice, once per term, for each contract whose renewal notice period began (C3)."""
    report = JobReport("flag-renewals")
    today = now.date()
    for contract_id in contracts:
        contract = app.contracts.get(contract_id)
        if not contract.renewal_due(today) or contract.end is None:
            continue
        raised = app.notices.raise_once(
            job_context(report.job, contract_id, now),
            kind=NoticeKind.RENEWAL_DUE,
            document_id=contract_id,
            subject="term",
            due=contract.end,
            message=f"contract ends on {contract.end}: renew or terminate",
        )
        if raised is None or raised.replayed:
            report.unchanged += 1
        else:
            report.done += 1
    return report


def flag_warranty_expiries(app: Comptoir, now: datetime, assets: Iterable[UUID]) -> JobReport:
    """Raise a notice, once per warranty, for each warranty about to expire (S2)."""
    report = JobReport("flag-warranty-expiries")
    today = now.date()
    soon = app.policies.warranty_soon_days
    for asset_id in assets:
        asset = app.assets.get(asset_id)
        for kind, warranty in sorted(asset.warranties.items()):
            if warranty.status(today, soon) != WarrantyStatus.EXPIRING_SOON:
                continue
            raised = app.notices.raise_once(
                job_context(report.job, asset_id, now),
                kind=NoticeKind.WARRANTY_EXPIRING,
                document_id=asset_id,
                subject=kind,
                due=warranty.end,
                message=f"the {kind} warranty of {asset.product_ref} ends on {warranty.end}",
            )
            if raised is None or raised.replayed:
                report.unchanged += 1
            else:
                report.done += 1
    return report


def print_issued(app: Comptoir, now: datetime, issued: Iterable[tuple[UUID, str]]) -> JobReport:
    """Store the PDF of each invoice and credit note issued lately and never printed,
    recording its `Rendered` event (D3): the file is fixed soon after the issue, before
    anyone asks for it. Rendering is slow, so the issuing command does not wait for it;
    a PDF asked for before this job ran is stored by that request instead."""
    report = JobReport("print-issued")
    for invoice_id, kind in issued:
        printed_kind = PrintedKind.CREDIT_NOTE if kind == "credit_note" else PrintedKind.INVOICE
        printed = app.documents.printed(printed_kind, invoice_id)
        if printed is not None and printed.editions:
            report.unchanged += 1
            continue
        try:
            app.documents.issued(
                job_context(report.job, invoice_id, now), printed_kind, invoice_id, None
            )
        except DomainError as error:
            report.refused.append(f"{invoice_id}: {error}")
            continue
        except Exception as error:  # a rendering failure: the first request tries again
            log.exception("printing %s %s failed", kind, invoice_id)
            report.refused.append(f"{invoice_id}: {error}")
            continue
        report.done += 1
    return report
