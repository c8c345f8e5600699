"""Check digits of legal and bank identifiers with python-stdnum (the domain imports none).

Each function takes what a user typed (spaces, dots and dashes allowed), checks it and
returns its compact form, or raises the domain's error naming the field at fault.
Nothing is looked up online: a SIREN with a right check digit may still be unassigned.
"""

from __future__ import annotations

from collections.abc import Callable

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from domain.errors import (
    InvalidBic,
    InvalidIban,
    InvalidIdentifier,
    InvalidSiren,
    InvalidSiret,
    InvalidVatNumber,
)


def _checked(
    validate: Callable[[str], str],
    error: type[InvalidIdentifier],
    what: str,
    number: str,
    field: str,
) -> str:
    try:
        return validate(number)
    except ValidationError as e:
        raise error(field, number, f"is not a valid {what}: {e}") from None


def siren(number: str, field: str = "siren") -> str:
    """A SIREN (9 digits, Luhn check digit): `732 829 320` → `732829320`."""
    return _checked(stdnum_siren.validate, InvalidSiren, "SIREN", number, field)


def siret(number: str, field: str = "siret") -> str:
    """A SIRET (SIREN + 5-digit establishment, Luhn; La Poste's own rule)."""
    return _checked(stdnum_siret.validate, InvalidSiret, "SIRET", number, field)


def iban(number: str, field: str = "iban") -> str:
    """An IBAN (ISO 13616: country, mod-97 check digits, the country's account format)."""
    return _checked(stdnum_iban.validate, InvalidIban, "IBAN", number, field)


def bic(number: str, field: str = "bic") -> str:
    """A BIC (ISO 9362: 8 or 11 characters, a known country)."""
    return _checked(stdnum_bic.validate, InvalidBic, "BIC", number, field)


def vat_number(number: str, field: str = "vat_number") -> str:
    """An EU VAT number with its country prefix: `FR 44 732 829 320` → `FR44732829320`."""
    try:
        compact: str = stdnum_vat.validate(number)
    except ValidationError as e:
        raise InvalidVatNumber(f"{field}: {number!r} is not a valid VAT number: {e}") from None
    return compact


def optional(check: Callable[[str, str], str], number: str | None, field: str) -> str | None:
    """`check(number, field)`, or None when no number is given."""
    return None if number is None else check(number, field)
