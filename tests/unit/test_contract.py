"""The recurring contract (C1–C5), by example."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from adapters.transcoding import domain_transcoder
from domain.contract import (
    BilledPeriod,
    Contract,
    ContractKind,
    ContractLine,
    ContractStatus,
    monthly_recurring_revenue,
    revenue_between,
)
from domain.errors import (
    AmendmentBeforeBilledPeriod,
    ContractEnded,
    ContractSuspended,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAMaintenanceContract,
    PeriodNotDue,
    UnknownCurrency,
)
from domain.periods import Frequency
from tests.unit.replay import replay, state_of

CUSTOMER = UUID("00000000-0000-0000-0000-0000000000c1")
ASSET = UUID("00000000-0000-0000-0000-0000000000a1")


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def line(price: str, vat: str = "20", quantity: str = "1", what: str = "support") -> ContractLine:
    return ContractLine(what, Decimal(quantity), Decimal(price), Decimal(vat))


SUPPORT = [line("49.99", quantity="2"), line("15.00", vat="5.5", what="hosting")]


def signed(
    start: date = date(2027, 1, 31),
    end: date | None = None,
    frequency: Frequency = Frequency.MONTH,
    lines: list[ContractLine] | None = None,
    kind: ContractKind = ContractKind.SERVICE,
    notice_days: int = 30,
) -> Contract:
    return Contract.sign(
        at(2027, 1, 15),
        customer_id=CUSTOMER,
        currency="EUR",
        lines=SUPPORT if lines is None else lines,
        frequency=frequency,
        start=start,
        end=end,
        notice_days=notice_days,
        kind=kind,
    )


def rejects_without_events(
    contract: Contract, error: type[DomainError], *args: object, verb: str
) -> None:
    before = len(contract.pending_events)
    with pytest.raises(error):
        getattr(contract, verb)(*args)
    assert len(contract.pending_events) == before


# --- C1 signing and billing ----------------------------------------------------------------


def test_signing_records_the_terms_and_the_contract_starts_active() -> None:
    contract = signed(end=date(2027, 12, 31))
    (event,) = contract.collect_events()
    assert isinstance(event, Contract.Signed)
    assert event.at == at(2027, 1, 15) == event.timestamp
    assert event.frequency == Frequency.MONTH
    assert event.lines == SUPPORT
    assert contract.status == ContractStatus.ACTIVE
    assert (contract.start, contract.end, contract.notice_days) == (
        date(2027, 1, 31),
        date(2027, 12, 31),
        30,
    )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"currency": "XXX"}, UnknownCurrency),
        ({"lines": []}, InvalidInput),
        ({"end": date(2027, 1, 30)}, InvalidInput),
        ({"notice_days": -1}, InvalidInput),
        ({"covered_asset_ids": [ASSET]}, NotAMaintenanceContract),
        ({"at": datetime(2027, 1, 15, 9)}, InvalidInput),
    ],
)
def test_signing_refuses_bad_terms(changes: dict[str, object], error: type[Exception]) -> None:
    terms: dict[str, object] = {
        "at": at(2027, 1, 15),
        "customer_id": CUSTOMER,
        "currency": "EUR",
        "lines": SUPPORT,
        "frequency": Frequency.MONTH,
        "start": date(2027, 1, 31),
    }
    with pytest.raises(error):
        Contract.sign(**{**terms, **changes})  # type: ignore[arg-type]


def test_a_negative_quantity_is_not_a_contract_line() -> None:
    with pytest.raises(InvalidInput):
        line("10", quantity="-1")


def test_billing_a_period_records_its_dates_and_exact_amounts() -> None:
    contract = signed()
    contract.collect_events()
    record = contract.bill(at(2027, 2, 28), 1, invoice_ref="INV-2027-0042")
    assert record == BilledPeriod(
        period_index=1,
        period_start=date(2027, 2, 28),
        period_end=date(2027, 3, 30),
        net=Decimal("114.98"),
        vat=Decimal("20.83"),
        gross=Decimal("135.81"),
        billed_at=at(2027, 2, 28),
        invoice_ref="INV-2027-0042",
    )
    (event,) = contract.collect_events()
    assert isinstance(event, Contract.PeriodBilled)
    assert (event.period_index, event.net, event.invoice_ref) == (
        1,
        Decimal("114.98"),
        "INV-2027-0042",
    )


def test_in_a_leap_year_the_february_period_starts_on_the_29th() -> None:
    contract = signed(start=date(2028, 1, 31))
    record = contract.bill(at(2028, 3, 1), 1)
    assert (record.period_start, record.period_end) == (date(2028, 2, 29), date(2028, 3, 30))


def test_billing_the_same_period_twice_records_nothing_and_returns_the_first_record() -> None:
    contract = signed()
    first = contract.bill(at(2027, 2, 1), 0, invoice_ref="INV-1")
    contract.collect_events()
    again = contract.bill(at(2027, 2, 2), 0, invoice_ref="INV-2")
    assert again == first
    assert contract.collect_events() == []


def test_a_period_is_due_on_its_first_day_and_not_before() -> None:
    contract = signed()
    rejects_without_events(contract, PeriodNotDue, at(2027, 2, 27, 23), 1, verb="bill")
    assert contract.bill(at(2027, 2, 28, 0), 1).period_start == date(2027, 2, 28)


def test_no_period_is_billed_after_the_end_of_the_term() -> None:
    contract = signed(end=date(2027, 3, 31))
    assert contract.bill(at(2027, 4, 1), 2).period_start == date(2027, 3, 31)
    rejects_without_events(contract, ContractEnded, at(2027, 5, 1), 3, verb="bill")


def test_a_negative_period_index_is_refused() -> None:
    rejects_without_events(signed(), InvalidInput, at(2027, 2, 1), -1, verb="bill")


def test_billable_periods_lists_the_started_unbilled_ones() -> None:
    contract = signed()
    contract.bill(at(2027, 3, 1), 1)
    assert contract.billable_periods(date(2027, 3, 31)) == [0, 2]
    assert contract.billable_periods(date(2027, 1, 30)) == []


# --- C4 amendments --------------------------------------------------------------------------


def test_an_amendment_after_billing_leaves_billed_amounts_alone() -> None:
    contract = signed()
    billed = contract.bill(at(2027, 2, 1), 0)
    contract.amend(at(2027, 2, 5), date(2027, 2, 28), "more users", [line("200.00")])
    assert contract.billed["0"] == billed
    assert contract.bill(at(2027, 2, 5), 0) == billed
    assert contract.bill(at(2027, 2, 28), 1).net == Decimal("200.00")


def test_an_amendment_cannot_take_effect_inside_a_billed_period() -> None:
    contract = signed()
    contract.bill(at(2027, 3, 1), 1)
    rejects_without_events(
        contract,
        AmendmentBeforeBilledPeriod,
        at(2027, 3, 1),
        date(2027, 3, 30),
        "too late",
        [line("1.00")],
        verb="amend",
    )


def test_every_amendment_stays_readable_and_lines_follow_their_effective_dates() -> None:
    contract = signed()
    assert contract.amend(at(2027, 2, 1), date(2027, 6, 1), "upgrade", [line("150")]) == 1
    assert contract.amend(at(2027, 2, 2), date(2027, 4, 1), "extra", [line("120")]) == 2
    assert [(a.number, a.effective, a.reason) for a in contract.amendments] == [
        (1, date(2027, 6, 1), "upgrade"),
        (2, date(2027, 4, 1), "extra"),
    ]
    assert contract.lines_at(date(2027, 3, 31)) == SUPPORT
    assert contract.lines_at(date(2027, 4, 1)) == [line("120")]
    assert contract.lines_at(date(2027, 6, 1)) == [line("150")]


def test_an_amendment_must_fall_within_the_term() -> None:
    contract = signed(end=date(2027, 12, 31))
    rejects_without_events(
        contract, InvalidInput, at(2027, 1, 20), date(2027, 1, 30), "r", SUPPORT, verb="amend"
    )
    rejects_without_events(
        contract, ContractEnded, at(2027, 1, 20), date(2028, 1, 1), "r", SUPPORT, verb="amend"
    )


# --- C3 renewal, termination, suspension -------------------------------------------------


def test_renewal_is_due_from_the_notice_date() -> None:
    contract = signed(start=date(2027, 1, 1), end=date(2027, 12, 31), notice_days=30)
    assert not contract.renewal_due(date(2027, 11, 30))
    assert contract.renewal_due(date(2027, 12, 1))
    assert not signed(end=None).renewal_due(date(2099, 1, 1))


def test_renewing_extends_the_term_and_its_periods_become_billable() -> None:
    contract = signed(start=date(2027, 1, 1), end=date(2027, 12, 31))
    rejects_without_events(contract, ContractEnded, at(2028, 1, 2), 12, verb="bill")
    contract.renew(at(2027, 12, 10), date(2028, 12, 31), "another year")
    assert contract.end == date(2028, 12, 31)
    assert contract.renewals[0].previous_end == date(2027, 12, 31)
    assert not contract.renewal_due(date(2027, 12, 10))
    assert contract.bill(at(2028, 1, 2), 12).period_start == date(2028, 1, 1)


def test_a_renewal_must_end_later_and_needs_a_term() -> None:
    contract = signed(end=date(2027, 12, 31))
    rejects_without_events(
        contract, InvalidInput, at(2027, 12, 1), date(2027, 12, 31), "same", verb="renew"
    )
    rejects_without_events(
        signed(), InvalidInput, at(2027, 12, 1), date(2028, 12, 31), "open", verb="renew"
    )


def test_a_terminated_contract_bills_only_periods_started_before_termination() -> None:
    contract = signed(start=date(2027, 1, 1))
    contract.terminate(at(2027, 3, 10), date(2027, 4, 1), "customer left")
    assert contract.status == ContractStatus.TERMINATED
    assert contract.bill(at(2027, 4, 2), 2).period_start == date(2027, 3, 1)
    rejects_without_events(contract, ContractEnded, at(2027, 4, 2), 3, verb="bill")
    assert not contract.renewal_due(date(2027, 4, 2))


def test_a_terminated_contract_refuses_further_changes() -> None:
    contract = signed(start=date(2027, 1, 1), end=date(2027, 12, 31))
    contract.terminate(at(2027, 3, 10), date(2027, 4, 1), "customer left")
    rejects_without_events(contract, InvalidTransition, at(2027, 3, 11), "r", verb="suspend")
    rejects_without_events(
        contract, InvalidTransition, at(2027, 3, 11), date(2028, 1, 1), "r", verb="renew"
    )
    rejects_without_events(
        contract, InvalidTransition, at(2027, 3, 11), date(2027, 5, 1), "r", verb="terminate"
    )


def test_termination_cannot_reach_back_into_a_billed_period() -> None:
    contract = signed(start=date(2027, 1, 1))
    contract.bill(at(2027, 3, 1), 2)
    rejects_without_events(
        contract,
        AmendmentBeforeBilledPeriod,
        at(2027, 3, 2),
        date(2027, 3, 1),
        "r",
        verb="terminate",
    )
    contract.terminate(at(2027, 3, 2), date(2027, 3, 2), "mid-period")
    assert contract.last_day == date(2027, 3, 1)


def test_a_suspended_contract_bills_nothing_and_skips_periods_started_meanwhile() -> None:
    contract = signed(start=date(2027, 1, 1))
    contract.suspend(at(2027, 2, 15), "unpaid invoices")
    rejects_without_events(contract, ContractSuspended, at(2027, 2, 16), 1, verb="bill")
    assert contract.billable_periods(date(2027, 3, 1)) == []
    contract.resume(at(2027, 3, 20))
    assert contract.bill(at(2027, 3, 20), 1).period_start == date(2027, 2, 1)
    rejects_without_events(contract, ContractSuspended, at(2027, 3, 20), 2, verb="bill")
    assert contract.billable_periods(date(2027, 4, 1)) == [0, 3]


def test_suspend_and_resume_follow_the_transition_table() -> None:
    contract = signed()
    rejects_without_events(contract, InvalidTransition, at(2027, 2, 1), verb="resume")
    contract.suspend(at(2027, 2, 1), "r")
    rejects_without_events(contract, InvalidTransition, at(2027, 2, 2), "r", verb="suspend")


# --- C2 covered assets ------------------------------------------------------------------------


def test_a_maintenance_contract_covers_and_uncovers_assets_once() -> None:
    contract = signed(kind=ContractKind.MAINTENANCE)
    contract.collect_events()
    contract.cover_asset(at(2027, 2, 1), ASSET)
    contract.cover_asset(at(2027, 2, 1), ASSET)
    assert contract.covered_asset_ids == [ASSET]
    assert len(contract.collect_events()) == 1
    contract.uncover_asset(at(2027, 2, 2), ASSET)
    contract.uncover_asset(at(2027, 2, 2), ASSET)
    assert contract.covered_asset_ids == []
    assert len(contract.collect_events()) == 1


def test_a_service_contract_covers_no_asset() -> None:
    rejects_without_events(
        signed(), NotAMaintenanceContract, at(2027, 2, 1), ASSET, verb="cover_asset"
    )


# --- C5 revenue projection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "monthly"),
    [
        (Frequency.DAY, "3041.67"),
        (Frequency.WEEK, "433.33"),
        (Frequency.MONTH, "100.00"),
        (Frequency.QUARTER, "33.33"),
        (Frequency.HALF_YEAR, "16.67"),
        (Frequency.YEAR, "8.33"),
    ],
)
def test_monthly_recurring_revenue_per_frequency(frequency: Frequency, monthly: str) -> None:
    lines = [line("60.00"), line("40.00", vat="5.5")]
    assert monthly_recurring_revenue(lines, frequency, "EUR") == Decimal(monthly)


def test_next_years_revenue_follows_amendments_and_the_end_of_the_term() -> None:
    contract = signed(start=date(2027, 1, 1), end=date(2028, 9, 30), lines=[line("100.00")])
    contract.amend(at(2027, 6, 1), date(2028, 7, 1), "price rise", [line("150.00")])
    next_year = revenue_between(contract, date(2028, 1, 1), date(2029, 1, 1))
    assert next_year == Decimal("1050.00")  # 6 × 100 + 3 × 150
    assert contract.monthly_recurring_revenue(date(2028, 7, 1)) == Decimal("150.00")


def test_revenue_skips_suspended_periods_and_stops_at_termination() -> None:
    contract = signed(start=date(2027, 1, 1), lines=[line("100.00")])
    contract.suspend(at(2027, 2, 15), "dispute")
    contract.resume(at(2027, 4, 15))
    contract.terminate(at(2027, 4, 20), date(2027, 7, 1), "moving")
    assert revenue_between(contract, date(2027, 1, 1), date(2028, 1, 1)) == Decimal("400.00")


def test_revenue_counts_billed_periods_for_what_they_were_billed() -> None:
    contract = signed(start=date(2027, 1, 1), lines=[line("100.00")])
    contract.bill(at(2027, 1, 1), 0)
    contract.amend(at(2027, 1, 2), date(2027, 2, 1), "rise", [line("110.00")])
    assert revenue_between(contract, date(2027, 1, 1), date(2027, 4, 1)) == Decimal("320.00")


# --- history and schema evolution ---------------------------------------------------------


def test_replaying_a_contracts_events_gives_back_the_same_state() -> None:
    contract = signed(start=date(2027, 1, 1), end=date(2027, 12, 31), kind=ContractKind.MAINTENANCE)
    contract.bill(at(2027, 1, 2), 0, invoice_ref="INV-1")
    contract.amend(at(2027, 1, 3), date(2027, 2, 1), "rise", [line("110.00")])
    contract.cover_asset(at(2027, 1, 4), ASSET)
    contract.suspend(at(2027, 3, 5), "r")
    contract.resume(at(2027, 4, 5))
    contract.renew(at(2027, 12, 1), date(2028, 12, 31), "again")
    contract.terminate(at(2028, 1, 10), date(2028, 3, 1), "bye")
    copy = replay(contract.collect_events(), Contract)
    assert state_of(copy) == state_of(contract)
    assert copy.modified_on == at(2028, 1, 10)


def test_a_version_1_period_billed_event_reads_back_without_an_invoice_ref() -> None:
    contract = signed()
    created = contract.collect_events()
    transcoder = domain_transcoder()
    billed_on = at(2027, 2, 1)
    v1_state = transcoder.encode(
        {
            "timestamp": billed_on,
            "at": billed_on,
            "period_index": 0,
            "period_start": date(2027, 1, 31),
            "period_end": date(2027, 2, 27),
            "net": Decimal("114.98"),
            "vat": Decimal("20.83"),
            "gross": Decimal("135.81"),
        }
    )
    stored = StoredEvent(
        originator_id=contract.id,
        originator_version=2,
        topic=get_topic(Contract.PeriodBilled),
        state=v1_state,
    )
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    event = mapper.to_domain_event(stored)
    assert isinstance(event, Contract.PeriodBilled)
    assert event.invoice_ref is None
    copy = replay([*created, event], Contract)
    assert copy.billed["0"].invoice_ref is None
    assert copy.billed["0"].net == Decimal("114.98")
    assert copy.bill(billed_on + timedelta(days=1), 0).gross == Decimal("135.81")


def test_a_new_contract_gets_a_fresh_id_unless_one_is_given() -> None:
    given = uuid4()
    contract = Contract.sign(
        at(2027, 1, 1),
        CUSTOMER,
        "EUR",
        SUPPORT,
        Frequency.YEAR,
        date(2027, 1, 1),
        contract_id=given,
    )
    assert contract.id == given
    assert signed().id != signed().id
