"""What an invoice says about the seller (issue 14): legal identity, registration, capital,
address, bank details, penalties and footer, and the logo as a content-addressed image.

Identifiers arrive here in compact form, their check digits already verified by
`adapters.identifiers` (python-stdnum); the domain checks their shape and how they
belong together: a SIRET starts with its SIREN, a French VAT number is made of it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from domain import bounds
from domain.customer import Address, check_vat_number
from domain.errors import InvalidAmount, InvalidBic, InvalidIban, InvalidInput, InvalidLogo
from domain.identifiers import check_siren, check_siret, check_vat_of
from domain.values import Money, check_currency

IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
MAX_NAME = 200
E = TypeVar("E", bound=StrEnum)
MAX_FOOTER = 2000


class LegalForm(StrEnum):
    """The legal forms a French SME invoices under."""

    SA = "SA"
    SAS = "SAS"
    SASU = "SASU"
    SARL = "SARL"
    EURL = "EURL"
    SNC = "SNC"
    SCI = "SCI"
    SCOP = "SCOP"
    SELARL = "SELARL"
    EI = "EI"
    MICRO_ENTREPRENEUR = "micro-entrepreneur"  # formerly auto-entrepreneur
    ASSOCIATION = "association"


# A sole trader or an association has no share capital, and may be registered nowhere
# (a liberal profession); every company (société) states its capital and its register.
WITHOUT_CAPITAL = frozenset({LegalForm.EI, LegalForm.MICRO_ENTREPRENEUR, LegalForm.ASSOCIATION})


class Register(StrEnum):
    """Registre du commerce et des sociétés, or Répertoire des métiers (craftspeople)."""

    RCS = "RCS"
    RM = "RM"


@dataclass(frozen=True)
class Registration:
    """Where the company is registered: "RCS Lyon", "RM Rhône"."""

    register: Register
    city: str

    def __str__(self) -> str:
        return f"{self.register} {self.city}"


@dataclass(frozen=True)
class CompanyDetails:
    """Everything an invoice states about the seller, as one value."""

    legal_name: str
    legal_form: LegalForm
    siren: str
    address: Address
    siret: str | None = None
    vat_number: str | None = None
    registration: Registration | None = None
    share_capital: Money | None = None
    iban: str | None = None
    bic: str | None = None
    late_payment_rate: Decimal | None = None  # percent a year
    footer: str = ""
    # The currency the views report in (pipeline, forecast, KPIs): an ISO 4217 code.
    # Details recorded before it existed decode with the default.
    reporting_currency: str = "EUR"

    def changes_from(self, before: CompanyDetails) -> list[str]:
        """The names of the fields that differ from `before`, in declaration order."""
        return [name for name in FIELDS if getattr(self, name) != getattr(before, name)]


FIELDS = tuple(CompanyDetails.__dataclass_fields__)


def _text(value: str, field: str, maximum: int, required: bool = True) -> None:
    if required and not value.strip():
        raise InvalidInput(f"{field} must not be empty")
    if len(value) > maximum or "\x00" in value:
        raise InvalidInput(f"{field} must be at most {maximum} characters, without NUL")


def check_details(details: CompanyDetails) -> CompanyDetails:
    """Refuse seller details an invoice could not state, naming the field at fault."""
    _text(details.legal_name, "legal_name", MAX_NAME)
    _text(details.footer, "footer", MAX_FOOTER, required=False)
    form = _member(LegalForm, details.legal_form, "legal_form")
    siren = check_siren(details.siren)
    if details.siret is not None:
        check_siret(details.siret, siren)
    if details.vat_number is not None:
        check_vat_of(check_vat_number(details.vat_number), siren)
    if details.registration is None and form not in WITHOUT_CAPITAL:
        raise InvalidInput(f"registration: a {form} is registered (RCS or RM and a city)")
    if details.registration is not None:
        _member(Register, details.registration.register, "registration.register")
        _text(details.registration.city, "registration.city", MAX_NAME)
    _check_capital(form, details.share_capital)
    check_currency(details.reporting_currency)
    if details.iban is not None and not IBAN.fullmatch(details.iban):
        raise InvalidIban("iban", details.iban, "is not an IBAN")
    if details.bic is not None:
        if not BIC.fullmatch(details.bic):
            raise InvalidBic("bic", details.bic, "is not a BIC (8 or 11 letters and digits)")
        if details.iban is None:
            raise InvalidInput("bic: a BIC goes with an IBAN")
    if details.late_payment_rate is not None:
        rate = bounds.percent(details.late_payment_rate, "late_payment_rate")
        if rate < 0:
            raise InvalidAmount("late_payment_rate must not be negative")
    return details


def _member(cls: type[E], value: str, field: str) -> E:
    try:
        return cls(value)
    except ValueError:
        known = ", ".join(cls)
        raise InvalidInput(f"{field}: {value!r} is not one of {known}") from None


def _check_capital(form: LegalForm, capital: Money | None) -> None:
    if capital is None:
        if form not in WITHOUT_CAPITAL:
            raise InvalidInput(f"share_capital: a {form} states its share capital")
        return
    if form in WITHOUT_CAPITAL:
        raise InvalidInput(f"share_capital: a {form} has no share capital")
    check_currency(capital.currency)
    bounds.amount(capital.amount, "share_capital")
    if capital.amount <= 0:
        raise InvalidAmount("share_capital must be above zero")


# --- Logo --------------------------------------------------------------------------------

LOGO_MAX_BYTES = 512 * 1024
LOGO_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# What an SVG logo may not hold: it is served as an image, but a browser opening it
# directly would run its scripts, and a renderer would expand its entities.
SVG_FORBIDDEN = re.compile(rb"<script|<foreignObject|<!ENTITY|javascript:|\son[a-z]+\s*=", re.I)


SVG_OPENINGS = (b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE svg")


@dataclass(frozen=True)
class LogoRef:
    """The logo as the events know it: the SHA-256 of its bytes, its media type and size."""

    sha256: str
    media_type: str
    size: int


def logo_of(data: bytes, media_type: str) -> LogoRef:
    """The reference of an image the company may use as its logo, once its bytes are
    checked: PNG, JPEG or SVG as their first bytes say, at most 512 KiB."""
    if media_type not in LOGO_TYPES:
        raise InvalidLogo(f"a logo is one of {', '.join(LOGO_TYPES)}, not {media_type!r}")
    if not data:
        raise InvalidLogo("the logo is empty")
    if len(data) > LOGO_MAX_BYTES:
        raise InvalidLogo(f"a logo is at most {LOGO_MAX_BYTES} bytes, this one {len(data)}")
    if not _looks_like(data, media_type):
        raise InvalidLogo(f"the bytes sent are not an {media_type} image")
    return LogoRef(hashlib.sha256(data).hexdigest(), media_type, len(data))


def _looks_like(data: bytes, media_type: str) -> bool:
    if media_type == "image/png":
        return data.startswith(PNG_MAGIC)
    if media_type == "image/jpeg":
        return data.startswith(JPEG_MAGIC)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    opens_as_svg = head.startswith(SVG_OPENINGS) and b"<svg" in data
    return opens_as_svg and SVG_FORBIDDEN.search(data) is None
