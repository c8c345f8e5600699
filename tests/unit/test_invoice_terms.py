"""Payment terms and the due dates they give; units as Rec 20 codes."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput, InvalidPaymentTerms, UnknownUnitCode
from domain.invoice_terms import (
    InvoiceDetails,
    OperationCategory,
    PaymentTerms,
    TermsKind,
    changed_details,
    due_date,
)
from domain.units import UNIT_CODES, UNIT_WORDS, unit_code


def terms(kind: TermsKind, days: int = 0) -> PaymentTerms:
    return PaymentTerms(kind, days)


def test_on_receipt_is_due_the_day_it_is_issued() -> None:
    assert due_date(terms(TermsKind.ON_RECEIPT), date(2026, 2, 28)) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("issued", "days", "due"),
    [
        (date(2026, 1, 31), 30, date(2026, 3, 2)),
        (date(2028, 1, 31), 30, date(2028, 3, 1)),  # leap year: 29 days in February
        (date(2026, 12, 15), 30, date(2027, 1, 14)),
        (date(2026, 3, 1), 60, date(2026, 4, 30)),
    ],
)
def test_net_days_count_from_the_issue_date(issued: date, days: int, due: date) -> None:
    assert terms(TermsKind.NET, days).due_date(issued) == due


@pytest.mark.parametrize(
    ("issued", "days", "due"),
    [
        (date(2026, 1, 10), 45, date(2026, 2, 28)),  # 24 February, then its month's end
        (date(2028, 1, 10), 45, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 30, date(2026, 3, 31)),
        (date(2026, 11, 20), 45, date(2027, 1, 31)),  # across the year
        (date(2026, 4, 30), 1, date(2026, 5, 31)),
    ],
)
def test_days_end_of_month_run_to_the_end_of_the_month_they_reach(
    issued: date, days: int, due: date
) -> None:
    assert terms(TermsKind.END_OF_MONTH, days).due_date(issued) == due


@given(
    issued=st.dates(min_value=date(1990, 1, 1), max_value=date(2990, 12, 31)),
    kind=st.sampled_from([TermsKind.NET, TermsKind.END_OF_MONTH]),
    days=st.integers(min_value=1, max_value=45),
)
def test_a_due_date_is_never_before_the_issue_date_nor_far_after(
    issued: date, kind: TermsKind, days: int
) -> None:
    due = terms(kind, days).due_date(issued)
    assert 0 < (due - issued).days <= days + 30


@pytest.mark.parametrize(
    ("kind", "days"),
    [
        (TermsKind.ON_RECEIPT, 10),
        (TermsKind.NET, 0),
        (TermsKind.NET, 61),
        (TermsKind.END_OF_MONTH, 46),
        ("in a while", 10),
    ],
)
def test_terms_outside_what_the_law_allows_are_refused(kind: TermsKind, days: int) -> None:
    with pytest.raises(InvalidPaymentTerms):
        PaymentTerms(kind, days)


def test_the_details_of_a_draft_change_field_by_field_and_are_checked() -> None:
    details = InvoiceDetails(operation=OperationCategory.GOODS)
    changed = changed_details(details, {"order_reference": "  PO-77 ", "discounts": [5]})
    assert changed.order_reference == "PO-77"
    assert changed.operation == OperationCategory.GOODS
    with pytest.raises(InvalidInput):
        changed_details(details, {"number": "INV-2026-00001"})
    with pytest.raises(InvalidInput):
        changed_details(details, {"late_penalty_rate": -1})
    with pytest.raises(InvalidInput):
        changed_details(details, {"operation": "rentals"})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("unit", "C62"),
        ("hour", "HUR"),
        ("Hours", "HUR"),
        ("day", "DAY"),
        ("jours", "DAY"),
        ("month", "MON"),
        ("kg", "KGM"),
        ("m", "MTR"),
        ("litre", "LTR"),
        ("hur", "HUR"),
        ("C62", "C62"),
        ("forfait", "LS"),
    ],
)
def test_free_text_units_map_to_rec_20_codes(text: str, code: str) -> None:
    assert unit_code(text) == code


def test_every_word_maps_to_a_known_code() -> None:
    assert set(UNIT_WORDS.values()) <= set(UNIT_CODES)


def test_an_unknown_unit_is_refused_with_the_codes_to_use() -> None:
    with pytest.raises(UnknownUnitCode, match="C62"):
        unit_code("bucket")
