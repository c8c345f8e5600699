"""VAT number form check with python-stdnum (kept out of the domain, which imports none)."""

from __future__ import annotations

from stdnum.eu import vat
from stdnum.exceptions import ValidationError

from domain.errors import InvalidVatNumber


def check_vat_number(number: str) -> str:
    """The compact form of an EU VAT number (`FR 40 303 265 045` → `FR40303265045`).

    Checks the country prefix, length and check digits; raises `InvalidVatNumber`
    otherwise. Nothing is looked up online (VIES is another adapter's job).
    """
    try:
        compact: str = vat.validate(number)
    except ValidationError as e:
        raise InvalidVatNumber(f"{number!r} is not a valid VAT number: {e}") from None
    return compact
