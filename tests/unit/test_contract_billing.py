"""A contract period's invoice (C1, issue 14): its lines, its note, its record."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from adapters.transcoding import domain_transcoder
from domain.contract import Contract, ContractLine
from domain.contract_billing import period_details, period_note
from domain.errors import ContractSuspended, PeriodNotDue
from domain.invoice_lines import VatCategory
from domain.invoice_terms import OperationCategory, PaymentTerms, TermsKind
from domain.periods import Frequency
from tests.unit.replay import replay

CUSTOMER = UUID("00000000-0000-0000-0000-0000000000c1")
D = Decimal


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=UTC)


def quarterly() -> Contract:
    lines = [
        ContractLine("support", D(2), D("49.99"), D(20)),
        ContractLine("export licence", D(1), D("30.00"), D(0)),
    ]
    return Contract.sign(
        at(2027, 1, 1), CUSTOMER, "EUR", lines, Frequency.QUARTER, date(2027, 1, 1)
    )


def test_a_period_to_bill_has_its_days_and_the_lines_in_force_on_its_first_day() -> None:
    contract = quarterly()
    premium = [ContractLine("premium", D(1), D("150"), D("5.5"))]
    contract.amend(at(2027, 2, 1), date(2027, 4, 1), "upgrade", premium)
    first = contract.to_bill(at(2027, 4, 2), 0)
    assert (first.period_start, first.period_end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert [(ln.description, ln.quantity, ln.unit, ln.unit_price) for ln in first.lines] == [
        ("support", D(2), "C62", D("49.99")),
        ("export licence", D(1), "C62", D("30.00")),
    ]
    assert [(ln.vat_category, ln.vat_rate) for ln in first.lines] == [
        (VatCategory.STANDARD, D(20)),
        (VatCategory.ZERO_RATED, D(0)),
    ]
    second = contract.to_bill(at(2027, 4, 2), 1)
    assert [(ln.description, ln.vat_rate) for ln in second.lines] == [("premium", D("5.5"))]


def test_asking_what_a_period_would_bill_records_nothing_and_refuses_as_billing_does() -> None:
    contract = quarterly()
    contract.collect_events()
    contract.to_bill(at(2027, 1, 2), 0)
    assert contract.collect_events() == []
    with pytest.raises(PeriodNotDue):
        contract.to_bill(at(2027, 3, 31), 1)
    contract.suspend(at(2027, 2, 1), "works")
    with pytest.raises(ContractSuspended):
        contract.to_bill(at(2027, 2, 1), 0)


def test_a_billed_period_names_the_invoice_issued_with_it_and_keeps_it() -> None:
    contract = quarterly()
    invoice_id = uuid4()
    record = contract.bill(
        at(2027, 1, 2), 0, invoice_id=invoice_id, invoice_number="INV-2027-00001"
    )
    assert (record.invoice_id, record.invoice_number) == (invoice_id, "INV-2027-00001")
    again = contract.bill(at(2027, 1, 3), 0, invoice_id=uuid4(), invoice_number="INV-2027-00009")
    assert again == record
    assert replay(contract.collect_events(), Contract).billed["0"] == record


def test_the_invoice_states_the_period_in_its_notes_and_bills_services() -> None:
    assert period_note(date(2027, 1, 1), date(2027, 3, 31)) == "Période du 01/01/2027 au 31/03/2027"
    period = quarterly().to_bill(at(2027, 1, 2), 0)
    details = period_details(period, PaymentTerms(TermsKind.NET, 30))
    assert details.notes == "Période du 01/01/2027 au 31/03/2027"
    assert details.operation == OperationCategory.SERVICES
    assert details.payment_terms == PaymentTerms(TermsKind.NET, 30)
    assert period_details(period).payment_terms == PaymentTerms()


def test_a_version_2_period_billed_event_reads_back_without_an_invoice() -> None:
    contract = quarterly()
    created = contract.collect_events()
    transcoder = domain_transcoder()
    v2_state = transcoder.encode(
        {
            "timestamp": at(2027, 1, 2),
            "at": at(2027, 1, 2),
            "period_index": 0,
            "period_start": date(2027, 1, 1),
            "period_end": date(2027, 3, 31),
            "net": D("129.98"),
            "vat": D("20.00"),
            "gross": D("149.98"),
            "invoice_ref": "EXT-7",
            "class_version": 2,
        }
    )
    stored = StoredEvent(contract.id, 2, get_topic(Contract.PeriodBilled), v2_state)
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    event = mapper.to_domain_event(stored)
    assert isinstance(event, Contract.PeriodBilled)
    assert (event.invoice_ref, event.invoice_id, event.invoice_number) == ("EXT-7", None, None)
    copy = replay([*created, event], Contract)
    assert copy.billed["0"].invoice_number is None
    assert copy.billed["0"].net == D("129.98")
