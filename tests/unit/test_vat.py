"""The VAT number adapter: form and check digits through python-stdnum."""

from __future__ import annotations

import pytest

from adapters.vat import check_vat_number
from domain.errors import InvalidVatNumber


@pytest.mark.parametrize(
    ("given", "compact"),
    [
        ("FR 40 303 265 045", "FR40303265045"),
        ("be 0403.019.261", "BE0403019261"),
        ("EL 094259216", "EL094259216"),
        ("NL004495445B01", "NL004495445B01"),
    ],
)
def test_a_valid_vat_number_comes_back_compact(given: str, compact: str) -> None:
    assert check_vat_number(given) == compact


@pytest.mark.parametrize("given", ["FR40303265046", "XX123456", "", "FR"])
def test_a_malformed_vat_number_is_an_invalid_vat_number(given: str) -> None:
    with pytest.raises(InvalidVatNumber) as caught:
        check_vat_number(given)
    assert caught.value.code == "invalid-vat-number"
