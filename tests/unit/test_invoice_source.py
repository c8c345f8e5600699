"""An invoice says what it bills: its source, stated once on the draft, replayed."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidInput, InvalidTransition
from domain.invoice import Invoice
from domain.invoice_source import InvoiceSource, SourceKind
from tests.unit.replay import replay
from tests.unit.sellers import SELLER
from tests.unit.test_invoice import AT, BUYER, TODAY, a_draft, a_line


def test_a_draft_states_its_source_once_and_replays_it() -> None:
    invoice = a_draft(a_line())
    events = list(invoice.collect_events())
    source = InvoiceSource(SourceKind.CONTRACT_PERIOD, uuid4(), "3")
    invoice.state_source(at=AT, source=source)
    assert invoice.source == source
    with pytest.raises(InvalidInput, match="already bills contract_period"):
        invoice.state_source(at=AT, source=source)
    events += invoice.collect_events()
    assert replay(events, Invoice).source == source


def test_an_issued_invoice_takes_no_source_and_a_standalone_one_has_none() -> None:
    invoice = a_draft(a_line())
    invoice.issue(
        at=AT,
        number="INV-2026-00001",
        issue_date=TODAY,
        not_before=None,
        buyer=BUYER,
        seller=SELLER,
    )
    assert invoice.source is None
    with pytest.raises(InvalidTransition):
        invoice.state_source(at=AT, source=InvoiceSource(SourceKind.ORDER, uuid4()))


@pytest.mark.parametrize(
    ("kind", "document", "reference", "message"),
    [
        ("nowhere", uuid4(), "", "unknown invoice source 'nowhere'"),
        ("order", "not-a-uuid", "", "must be a UUID"),
        ("order", None, "", "names its document"),
        ("affair", uuid4(), "   ", "must not be blank"),
    ],
)
def test_a_malformed_source_is_refused(
    kind: str, document: object, reference: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        InvoiceSource(kind, document, reference)  # type: ignore[arg-type]
