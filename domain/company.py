"""The Company aggregate (issue 14): the seller's settings as a document with history.

One per store, under a fixed id. Established once; every later change is an amendment
with a reason and the date it takes effect, so the history says who changed the IBAN,
when and why, and `details_on(day)` gives what an invoice of that day states.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.company_details import CompanyDetails, LogoRef, check_details
from domain.errors import (
    AmendmentBeforeLastEffective,
    AmendmentChangesNothing,
    ReasonRequired,
)

__all__ = ["COMPANY_ID", "Company", "Effective"]

COMPANY_ID = uuid5(NAMESPACE_URL, "urn:comptoir:company")


@dataclass(frozen=True)
class Effective:
    """The seller's details in effect from a day on."""

    on: date
    details: CompanyDetails


class Company(Aggregate):
    """The seller: established once, then amended with a reason and an effective date."""

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return COMPANY_ID

    @event("Established")
    def __init__(self, at: datetime, details: CompanyDetails, effective_on: date) -> None:
        self.established_at = at
        self.details = details
        self.effective_on = effective_on
        self.timeline: list[Effective] = [Effective(effective_on, details)]
        self.logo: LogoRef | None = None

    @classmethod
    def establish(cls, at: datetime, details: CompanyDetails, effective_on: date) -> Company:
        """The company's first settings, in effect from `effective_on`."""
        return cls(at=at, details=check_details(details), effective_on=effective_on)

    def amend(self, at: datetime, details: CompanyDetails, reason: str, effective_on: date) -> None:
        """New settings from `effective_on` (never before the last amendment's), with why."""
        if not reason.strip():
            raise ReasonRequired("amending the company's settings needs a reason")
        check_details(details)
        changed = details.changes_from(self.details)
        if not changed:
            raise AmendmentChangesNothing("the amendment leaves every setting as it was")
        if effective_on < self.effective_on:
            raise AmendmentBeforeLastEffective(
                f"the last amendment took effect on {self.effective_on}; "
                f"this one cannot take effect on {effective_on}"
            )
        self._amend(
            at=at, details=details, reason=reason, effective_on=effective_on, changed=changed
        )

    @event("Amended")
    def _amend(
        self,
        at: datetime,
        details: CompanyDetails,
        reason: str,
        effective_on: date,
        changed: list[str],
    ) -> None:
        self.details = details
        self.effective_on = effective_on
        self.timeline.append(Effective(effective_on, details))

    def change_logo(self, at: datetime, logo: LogoRef) -> None:
        """A new logo, by the reference of its stored bytes."""
        if logo == self.logo:
            raise AmendmentChangesNothing("this image is already the company's logo")
        self._change_logo(at=at, logo=logo)

    @event("LogoChanged")
    def _change_logo(self, at: datetime, logo: LogoRef) -> None:
        self.logo = logo

    def details_on(self, day: date) -> CompanyDetails | None:
        """The details in effect on `day` (the last recorded of that day), None before."""
        found = None
        for entry in self.timeline:
            if entry.on <= day:
                found = entry.details
        return found
