"""The Customer aggregate (U1, U2): a party with a status, credit limit, addresses,
contacts and a VAT number.

The VAT number's form is checked by `adapters.vat` (python-stdnum) before it reaches
the domain; here we only refuse what is plainly not a compact VAT number.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import (
    CustomerStillActive,
    DuplicateAddress,
    InvalidInput,
    InvalidTransition,
    InvalidVatNumber,
    ReasonRequired,
    UnknownAddress,
)
from domain.identifiers import check_siren, check_siret, check_vat_of
from domain.values import check_currency, check_finite


class CustomerStatus(StrEnum):
    PROSPECT = "prospect"
    QUALIFIED = "qualified"
    CUSTOMER = "customer"
    ABANDONED = "abandoned"
    INACTIVE = "inactive"


C = CustomerStatus

# Every status move allowed; any other is an InvalidTransition.
TRANSITIONS: dict[CustomerStatus, frozenset[CustomerStatus]] = {
    C.PROSPECT: frozenset({C.QUALIFIED, C.CUSTOMER, C.ABANDONED, C.INACTIVE}),
    C.QUALIFIED: frozenset({C.CUSTOMER, C.ABANDONED, C.INACTIVE}),
    C.CUSTOMER: frozenset({C.INACTIVE}),
    C.ABANDONED: frozenset({C.PROSPECT}),
    C.INACTIVE: frozenset({C.PROSPECT, C.QUALIFIED, C.CUSTOMER}),
}

INITIAL = frozenset({C.PROSPECT, C.QUALIFIED, C.CUSTOMER})

# Country prefix (EL for Greece, XI for Northern Ireland) and 2–13 characters, no spaces.
COMPACT_VAT = re.compile(r"[A-Z]{2}[0-9A-Z+*]{2,13}")


def check_vat_number(vat_number: str) -> str:
    """Refuse what is not a compact VAT number; the full check is `adapters.vat`'s."""
    if not COMPACT_VAT.fullmatch(vat_number):
        raise InvalidVatNumber(f"{vat_number!r} is not a compact VAT number")
    return vat_number


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


class AddressKind(StrEnum):
    BILLING = "billing"
    DELIVERY = "delivery"
    SITE = "site"


@dataclass(frozen=True)
class Address:
    """A postal address, used for billing, delivery or as a site."""

    kind: AddressKind
    street: str
    postal_code: str
    city: str
    country: str
    name: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "kind", AddressKind(self.kind))
        except ValueError:
            raise InvalidInput(f"unknown address kind {self.kind!r}") from None
        if not self.street.strip() or not self.city.strip():
            raise InvalidInput("an address needs a street and a city")
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            raise InvalidInput(f"a country is an ISO 3166 code, got {self.country!r}")


@dataclass(frozen=True)
class Contact:
    """A person at the customer."""

    name: str
    email: str | None = None
    phone: str | None = None
    role: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInput("a contact needs a name")
        if self.email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email):
            raise InvalidInput(f"{self.email!r} is not an e-mail address")


class Customer(Aggregate):
    """A party we sell to, from prospect to customer, and inactive when quiet."""

    # The buyer's legal identity on invoices (issue 14), set by `set_legal_identity`;
    # class defaults, so customers registered (and snapshotted) before it still load.
    legal_name: str | None = None
    siren: str | None = None
    siret: str | None = None

    @event("Registered")
    def __init__(
        self,
        at: datetime,
        name: str,
        status: str,
        vat_number: str | None,
        credit_limit: Decimal | None,
        currency: str,
    ) -> None:
        self.registered_at = at
        self.name = name
        self.status = CustomerStatus(status)
        self.vat_number = vat_number
        self.credit_limit = credit_limit
        self.currency = currency
        self.addresses: dict[str, Address] = {}
        self.contacts: list[Contact] = []
        self.status_before_inactive: CustomerStatus | None = None
        self.abandon_reason: str | None = None

    @classmethod
    def register(
        cls,
        at: datetime,
        name: str,
        status: CustomerStatus | str = CustomerStatus.PROSPECT,
        vat_number: str | None = None,
        credit_limit: Decimal | None = None,
        currency: str = "EUR",
    ) -> Customer:
        """A new party; it may start as a prospect, a qualified prospect or a customer."""
        if not name.strip():
            raise InvalidInput("a customer needs a name")
        if status not in INITIAL:
            raise InvalidInput(f"a customer cannot be registered as {status!r}")
        if vat_number is not None:
            check_vat_number(vat_number)
        if credit_limit is not None:
            bounds.amount(check_finite(credit_limit, "a credit limit"), "credit_limit")
        check_currency(currency)
        return cls(
            at=at,
            name=name,
            status=CustomerStatus(status),
            vat_number=vat_number,
            credit_limit=credit_limit,
            currency=currency,
        )

    # ---- status ------------------------------------------------------------------

    def _require(self, target: CustomerStatus, verb: str) -> None:
        if target not in TRANSITIONS[CustomerStatus(self.status)]:
            raise InvalidTransition("customer", self.status, verb)

    def qualify(self, at: datetime) -> None:
        """A prospect becomes a qualified prospect."""
        self._require(C.QUALIFIED, "qualified")
        self._qualify(at=at)

    @event("Qualified")
    def _qualify(self, at: datetime) -> None:
        self.status = CustomerStatus.QUALIFIED

    def make_customer(self, at: datetime) -> None:
        """A prospect places its first order (or signs its first quote)."""
        self._require(C.CUSTOMER, "made a customer")
        self._make_customer(at=at)

    @event("BecameCustomer")
    def _make_customer(self, at: datetime) -> None:
        self.status = CustomerStatus.CUSTOMER

    def abandon(self, at: datetime, reason: str) -> None:
        """Give up on a prospect, with a reason."""
        if not reason.strip():
            raise ReasonRequired("abandoning a prospect needs a reason")
        self._require(C.ABANDONED, "abandoned")
        self._abandon(at=at, reason=reason)

    @event("Abandoned")
    def _abandon(self, at: datetime, reason: str) -> None:
        self.status = CustomerStatus.ABANDONED
        self.abandon_reason = reason

    def mark_inactive(
        self, at: datetime, last_quote_at: datetime | None, today: date, months: int = 18
    ) -> None:
        """Inactive when no quote was made (nor the party registered) in the last `months`."""
        self._require(C.INACTIVE, "marked inactive")
        if months < 1:
            raise InvalidInput(f"months must be at least 1, got {months}")
        last_activity = (last_quote_at or self.registered_at).date()
        cutoff = months_before(today, months)
        if last_activity > cutoff:
            raise CustomerStillActive(
                f"last activity on {last_activity} is within {months} months of {today}"
            )
        self._mark_inactive(at=at, last_activity=last_activity, previous=self.status)

    @event("MarkedInactive")
    def _mark_inactive(self, at: datetime, last_activity: date, previous: str) -> None:
        self.status_before_inactive = CustomerStatus(previous)
        self.status = CustomerStatus.INACTIVE

    def reactivate(self, at: datetime) -> None:
        """Back to the status held before going inactive; an abandoned party to prospect."""
        if self.status == C.INACTIVE:
            target = self.status_before_inactive or C.PROSPECT
        else:
            target = C.PROSPECT
        self._require(target, "reactivated")
        self._reactivate(at=at, status=target)

    @event("Reactivated")
    def _reactivate(self, at: datetime, status: str) -> None:
        self.status = CustomerStatus(status)
        self.status_before_inactive = None
        self.abandon_reason = None

    # ---- details -----------------------------------------------------------------

    def set_credit_limit(self, at: datetime, credit_limit: Decimal | None) -> None:
        """A new credit limit in the customer's currency; None for no limit."""
        if credit_limit is not None:
            bounds.amount(check_finite(credit_limit, "a credit limit"), "credit_limit")
        self._set_credit_limit(at=at, credit_limit=credit_limit)

    @event("CreditLimitSet")
    def _set_credit_limit(self, at: datetime, credit_limit: Decimal | None) -> None:
        self.credit_limit = credit_limit

    def set_vat_number(self, at: datetime, vat_number: str | None) -> None:
        """The VAT number in compact form, already checked by `adapters.vat`; None clears it."""
        if vat_number is not None:
            check_vat_of(check_vat_number(vat_number), self.siren)
        self._set_vat_number(at=at, vat_number=vat_number)

    @event("VatNumberSet")
    def _set_vat_number(self, at: datetime, vat_number: str | None) -> None:
        self.vat_number = vat_number

    def set_legal_identity(
        self, at: datetime, legal_name: str | None, siren: str | None, siret: str | None
    ) -> None:
        """The name, SIREN and SIRET an invoice states for the buyer, in compact form and
        already checked by `adapters.identifiers`; None clears one. A SIRET alone gives
        its SIREN; a French VAT number already set must be the SIREN's."""
        if legal_name is not None and not legal_name.strip():
            raise InvalidInput("a legal name must not be blank (null clears it)")
        if siret is not None and siren is None:
            siren = check_siret(siret, None)[:9]
        if siren is not None:
            check_siren(siren)
            if self.vat_number is not None:
                check_vat_of(self.vat_number, siren)
        if siret is not None:
            check_siret(siret, siren)
        self._set_legal_identity(at=at, legal_name=legal_name, siren=siren, siret=siret)

    @event("LegalIdentitySet")
    def _set_legal_identity(
        self, at: datetime, legal_name: str | None, siren: str | None, siret: str | None
    ) -> None:
        self.legal_name = legal_name
        self.siren = siren
        self.siret = siret

    def add_address(self, at: datetime, address_id: str, address: Address) -> None:
        """A new billing, delivery or site address under a new id."""
        if not address_id.strip():
            raise InvalidInput("an address needs an id")
        if address_id in self.addresses:
            raise DuplicateAddress(f"address {address_id!r} already exists")
        self._add_address(at=at, address_id=address_id, address=address)

    @event("AddressAdded")
    def _add_address(self, at: datetime, address_id: str, address: Address) -> None:
        self.addresses[address_id] = address

    def change_address(self, at: datetime, address_id: str, address: Address) -> None:
        """Replace an existing address."""
        if address_id not in self.addresses:
            raise UnknownAddress(f"no address {address_id!r} on this customer")
        self._change_address(at=at, address_id=address_id, address=address)

    @event("AddressChanged")
    def _change_address(self, at: datetime, address_id: str, address: Address) -> None:
        self.addresses[address_id] = address

    def add_contact(self, at: datetime, contact: Contact) -> None:
        """A new contact person."""
        self._add_contact(at=at, contact=contact)

    @event("ContactAdded")
    def _add_contact(self, at: datetime, contact: Contact) -> None:
        self.contacts.append(contact)
