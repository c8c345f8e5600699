"""French company identifiers: their shape and how they belong together (issue 14).

Check digits are verified by `adapters.identifiers` (python-stdnum) before a number
reaches the domain; here a SIREN is 9 digits, a SIRET 14 starting with its SIREN, and a
French VAT number is the one made of the SIREN.
"""

from __future__ import annotations

import re

from domain.errors import IdentifiersDisagree, InvalidSiren, InvalidSiret

SIREN = re.compile(r"[0-9]{9}")
SIRET = re.compile(r"[0-9]{14}")


def french_vat_of(siren: str) -> str:
    """The French VAT number made of a SIREN: FR, a two-digit key, the SIREN."""
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def check_siren(siren: str, field: str = "siren") -> str:
    if not SIREN.fullmatch(siren):
        raise InvalidSiren(field, siren, "is not a SIREN (9 digits)")
    return siren


def check_siret(siret: str, siren: str | None, field: str = "siret") -> str:
    """A SIRET of 14 digits that, when a SIREN is known, starts with it."""
    if not SIRET.fullmatch(siret):
        raise InvalidSiret(field, siret, "is not a SIRET (14 digits)")
    if siren is not None and not siret.startswith(siren):
        raise IdentifiersDisagree(field, siret, f"is not an establishment of SIREN {siren}")
    return siret


def check_vat_of(vat_number: str, siren: str | None, field: str = "vat_number") -> str:
    """A French VAT number must be the one made of the SIREN (others are not checked)."""
    if siren is not None and vat_number.startswith("FR") and vat_number != french_vat_of(siren):
        raise IdentifiersDisagree(
            field, vat_number, f"is not the French VAT number of SIREN {siren}"
        )
    return vat_number
