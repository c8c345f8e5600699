"""Contract commands (C1–C5) on the real SQLite and Postgres stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.commands import CommandResult
from application.contracts import next_period
from application.errors import IdempotencyKeyReused, StaleVersion
from application.jobs import bill_contracts
from application.journal import CommandContext
from domain.contract import ContractKind, ContractLine, ContractStatus
from domain.errors import (
    AmendmentBeforeBilledPeriod,
    AssetUnderAnotherContract,
    ContractEnded,
    ContractSuspended,
    InvalidInput,
    InvalidTransition,
    IssueDateInFuture,
    NotAMaintenanceContract,
    NotFound,
    PeriodNotDue,
    SellerNotEstablished,
    UnknownInvoiceNumber,
)
from domain.invoice_source import InvoiceSource, SourceKind
from domain.invoice_states import InvoiceStatus
from domain.invoice_terms import OperationCategory, PaymentTerms, TermsKind
from domain.periods import Frequency
from interfaces.settings import Settings
from tests.integration.billing_support import billable_customer
from tests.integration.company_support import establish_company

CUSTOMER = UUID("00000000-0000-0000-0000-0000000000c1")
SUPPORT = [ContractLine("support", Decimal(2), Decimal("49.99"), Decimal(20))]
PREMIUM = [ContractLine("premium support", Decimal(2), Decimal("79.99"), Decimal(20))]


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    billable_customer(app)
    yield app
    app.close()


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 30, tzinfo=UTC)


def ctx(when: datetime | None = None, **kwargs: Any) -> CommandContext:
    return CommandContext(actor="alice", at=when or at(2027, 1, 31), **kwargs)


def sign(app: Comptoir, context: CommandContext | None = None, **fields: Any) -> UUID:
    values: dict[str, Any] = {
        "customer_id": fields.pop("customer_id", None) or billable_customer(app),
        "currency": "EUR",
        "lines": SUPPORT,
        "frequency": Frequency.MONTH,
        "start": date(2027, 1, 31),
        **fields,
    }
    return app.contracts.sign(context or ctx(), **values).aggregate_id


def register_asset(app: Comptoir) -> UUID:
    return app.assets.register(
        ctx(), customer_id=CUSTOMER, product_ref="CR-200", description="register", site="Shop"
    ).aggregate_id


def event_types(app: Comptoir, document: UUID) -> list[str]:
    return [entry.type for entry in app.history(document)]


# --- C1 signing and billing -------------------------------------------------------------


def test_signing_records_the_contract_with_who_and_why(app: Comptoir) -> None:
    contract_id = sign(app, ctx(reason="signed at the trade fair"))
    contract = app.contracts.get(contract_id)
    assert (contract.status, contract.currency, contract.lines) == ("active", "EUR", SUPPORT)
    [entry] = app.history(contract_id)
    assert entry.type == "Contract.Signed"
    assert entry.journal is not None
    assert (entry.journal.record.actor, entry.journal.record.reason) == (
        "alice",
        "signed at the trade fair",
    )
    assert entry.journal.record.command == "contract.sign"


def test_signing_refuses_invalid_terms(app: Comptoir) -> None:
    before = app.log_position()
    with pytest.raises(InvalidInput):
        sign(app, end=date(2026, 1, 1))
    with pytest.raises(InvalidInput):
        sign(app, lines=[])
    assert app.log_position() == before


def test_a_signing_retried_with_its_key_returns_the_first_contract(app: Comptoir) -> None:
    first = app.contracts.sign(
        ctx(idempotency_key="sign-1"),
        customer_id=CUSTOMER,
        currency="EUR",
        lines=SUPPORT,
        frequency=Frequency.MONTH,
        start=date(2027, 1, 31),
    )
    before = app.log_position()
    again = app.contracts.sign(
        ctx(idempotency_key="sign-1"),
        customer_id=CUSTOMER,
        currency="EUR",
        lines=SUPPORT,
        frequency=Frequency.MONTH,
        start=date(2027, 1, 31),
    )
    assert again.replayed
    assert again.aggregate_id == first.aggregate_id
    assert app.log_position() == before
    with pytest.raises(IdempotencyKeyReused):
        app.contracts.sign(
            ctx(idempotency_key="sign-1"),
            customer_id=CUSTOMER,
            currency="EUR",
            lines=SUPPORT,
            frequency=Frequency.YEAR,
            start=date(2027, 1, 31),
        )


def test_billing_a_period_records_its_totals(app: Comptoir) -> None:
    contract_id = sign(app)
    billed = app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0, invoice_ref="INV-1")
    assert billed.result == {
        "period_index": 0,
        "period_start": "2027-01-31",
        "period_end": "2027-02-27",
        "net": "99.98",
        "vat": "20.00",
        "gross": "119.98",
        "already_billed": False,
        "invoice_ref": "INV-1",
        "invoice_id": billed.result["invoice_id"],
        "invoice_number": "INV-2027-00001",
    }
    assert billed.version == 2
    assert event_types(app, contract_id)[-1] == "Contract.PeriodBilled"
    record = app.contracts.get(contract_id).billed["0"]
    assert (str(record.invoice_id), record.invoice_number) == (
        billed.result["invoice_id"],
        "INV-2027-00001",
    )


def test_billing_a_period_issues_its_invoice_of_the_lines_in_force_that_period(
    app: Comptoir,
) -> None:
    contract_id = sign(app, frequency=Frequency.QUARTER, start=date(2027, 1, 1))
    app.contracts.amend(
        ctx(at(2027, 2, 1)), contract_id, effective=date(2027, 4, 1), lines=PREMIUM, reason="up"
    )
    first = app.contracts.bill(
        ctx(at(2027, 4, 2)),
        contract_id,
        0,
        issue_date=date(2027, 4, 1),
        payment_terms=PaymentTerms(TermsKind.NET, 30),
    )
    second = app.contracts.bill(ctx(at(2027, 4, 2)), contract_id, 1)
    invoice = app.invoices.by_number(first.result["invoice_number"])
    assert invoice.id == UUID(first.result["invoice_id"])
    assert (invoice.status, invoice.issue_date, invoice.due_date) == (
        InvoiceStatus.ISSUED,
        date(2027, 4, 1),
        date(2027, 5, 1),
    )
    assert invoice.source == InvoiceSource(SourceKind.CONTRACT_PERIOD, contract_id, "0")
    assert invoice.details.notes == "Période du 01/01/2027 au 31/03/2027"
    assert invoice.details.operation == OperationCategory.SERVICES
    assert [
        (ln.description, ln.quantity, ln.unit, ln.unit_price) for ln in invoice.lines.values()
    ] == [("support", Decimal(2), "C62", Decimal("49.99"))]
    assert invoice.totals().gross == Decimal("119.98") == Decimal(first.result["gross"])
    later = app.invoices.by_number(second.result["invoice_number"])
    assert second.result["invoice_number"] == "INV-2027-00002"
    assert later.issue_date == date(2027, 4, 2)
    assert later.details.notes == "Période du 01/04/2027 au 30/06/2027"
    assert [ln.unit_price for ln in later.lines.values()] == [Decimal("79.99")]
    assert later.customer_id == billable_customer(app)


def test_billing_the_same_period_twice_records_one_period_billed(app: Comptoir) -> None:
    contract_id = sign(app)
    first = app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0)
    before = app.log_position()
    again = app.contracts.bill(ctx(at(2027, 2, 2)), contract_id, 0)
    assert again.result["already_billed"] is True
    assert again.result["net"] == first.result["net"]
    assert again.result["invoice_number"] == first.result["invoice_number"] == "INV-2027-00001"
    assert again.result["invoice_id"] == first.result["invoice_id"]
    assert again.position is None
    assert again.version == first.version
    assert app.log_position() == before
    assert event_types(app, contract_id).count("Contract.PeriodBilled") == 1


def test_billing_the_same_period_from_two_threads_records_one_period_billed(
    app: Comptoir,
) -> None:
    contract_id = sign(app)
    barrier = threading.Barrier(2)
    outcomes: list[CommandResult] = []

    def biller() -> None:
        barrier.wait()
        outcomes.append(app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0))

    threads = [threading.Thread(target=biller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.result["already_billed"] for o in outcomes) == [False, True]
    assert event_types(app, contract_id).count("Contract.PeriodBilled") == 1
    assert app.contracts.get(contract_id).version == 2
    assert {o.result["invoice_number"] for o in outcomes} == {"INV-2027-00001"}
    assert {o.result["invoice_id"] for o in outcomes} == {outcomes[0].result["invoice_id"]}
    with pytest.raises(UnknownInvoiceNumber):
        app.invoices.by_number("INV-2027-00002")


def test_a_month_end_contract_starting_31_january_bills_the_last_day_of_february(
    app: Comptoir,
) -> None:
    contract_id = sign(app, start=date(2027, 1, 31))
    feb_2027 = app.contracts.bill(ctx(at(2027, 3, 1)), contract_id, 1)
    assert (feb_2027.result["period_start"], feb_2027.result["period_end"]) == (
        "2027-02-28",
        "2027-03-30",
    )
    leap = sign(app, start=date(2028, 1, 31))
    feb_2028 = app.contracts.bill(ctx(at(2028, 3, 1)), leap, 1)
    assert feb_2028.result["period_start"] == "2028-02-29"
    march = app.contracts.bill(ctx(at(2028, 4, 1)), leap, 2)
    assert march.result["period_start"] == "2028-03-31"


def test_billing_refuses_periods_not_due_after_the_end_or_while_suspended(
    app: Comptoir,
) -> None:
    contract_id = sign(app, end=date(2027, 3, 31))
    before = app.log_position()
    with pytest.raises(PeriodNotDue):
        app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 1)
    with pytest.raises(ContractEnded):
        app.contracts.bill(ctx(at(2027, 6, 1)), contract_id, 3)
    with pytest.raises(InvalidInput):
        app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, -1)
    with pytest.raises(NotFound):
        app.contracts.bill(ctx(at(2027, 2, 1)), uuid4(), 0)
    assert app.log_position() == before
    app.contracts.suspend(ctx(at(2027, 2, 1)), contract_id, reason="unpaid")
    with pytest.raises(ContractSuspended):
        app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0)


def test_bill_due_bills_each_due_period_as_its_own_command_and_then_nothing(
    app: Comptoir,
) -> None:
    contract_id = sign(app)
    today = at(2027, 4, 5)
    billed = app.contracts.bill_due(ctx(today, idempotency_key="run-1"), contract_id, today.date())
    assert [b.result["period_index"] for b in billed] == [0, 1, 2]
    assert [b.version for b in billed] == [2, 3, 4]
    commands = [e.journal.record for e in app.history(contract_id)[1:] if e.journal]
    assert [c.idempotency_key for c in commands] == [
        "run-1:period-0",
        "run-1:period-1",
        "run-1:period-2",
    ]
    assert len({c.command_id for c in commands}) == 3
    before = app.log_position()
    assert app.contracts.bill_due(ctx(today), contract_id, today.date()) == []
    assert app.log_position() == before


# --- C4 amendments ----------------------------------------------------------------------


def test_an_amendment_never_changes_a_billed_period(app: Comptoir) -> None:
    contract_id = sign(app)
    app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0)
    first = app.contracts.get(contract_id).billed["0"]
    before = app.log_position()
    with pytest.raises(AmendmentBeforeBilledPeriod):
        app.contracts.amend(
            ctx(at(2027, 2, 1)),
            contract_id,
            effective=date(2027, 2, 1),
            lines=PREMIUM,
            reason="upgrade",
        )
    assert app.log_position() == before
    amended = app.contracts.amend(
        ctx(at(2027, 2, 1), reason="upgrade"),
        contract_id,
        effective=date(2027, 2, 28),
        lines=PREMIUM,
        reason="upgrade",
    )
    assert amended.result == {"amendment": 1}
    contract = app.contracts.get(contract_id)
    assert contract.billed["0"] == first
    assert contract.lines_at(date(2027, 2, 1)) == SUPPORT
    again = app.contracts.bill(ctx(at(2027, 3, 1)), contract_id, 0)
    assert (again.result["already_billed"], again.result["net"]) == (True, "99.98")
    second = app.contracts.bill(ctx(at(2027, 3, 1)), contract_id, 1)
    assert second.result["net"] == "159.98"


def test_the_amendments_between_two_versions_show_the_lines_before_and_after(
    app: Comptoir,
) -> None:
    contract_id = sign(app)
    app.contracts.amend(
        ctx(), contract_id, effective=date(2027, 3, 31), lines=PREMIUM, reason="upgrade"
    )
    [change] = app.contracts.amendments_between(contract_id, 1, 2)
    assert (change.version, change.number, change.reason) == (2, 1, "upgrade")
    assert (change.lines_before, change.lines_after) == (SUPPORT, PREMIUM)
    assert app.contracts.amendments_between(contract_id, 2, 2) == []
    with pytest.raises(InvalidInput):
        app.contracts.amendments_between(contract_id, 2, 1)
    with pytest.raises(NotFound):
        app.contracts.amendments_between(contract_id, 1, 9)


# --- C3 renewal, termination, suspension --------------------------------------------------


def test_a_renewal_extends_the_term_and_is_refused_for_an_open_ended_contract(
    app: Comptoir,
) -> None:
    contract_id = sign(app, end=date(2027, 12, 31), notice_days=60)
    assert app.contracts.get(contract_id).renewal_due(date(2027, 11, 1))
    app.contracts.renew(ctx(), contract_id, new_end=date(2028, 12, 31), reason="another year")
    contract = app.contracts.get(contract_id)
    assert contract.end == date(2028, 12, 31)
    assert not contract.renewal_due(date(2027, 11, 1))
    with pytest.raises(InvalidInput):
        app.contracts.renew(ctx(), contract_id, new_end=date(2028, 1, 1), reason="")
    open_ended = sign(app)
    with pytest.raises(InvalidInput):
        app.contracts.renew(ctx(), open_ended, new_end=date(2028, 1, 1), reason="")


def test_termination_stops_billing_and_cannot_precede_a_billed_period(app: Comptoir) -> None:
    contract_id = sign(app)
    app.contracts.bill(ctx(at(2027, 3, 1)), contract_id, 1)
    with pytest.raises(AmendmentBeforeBilledPeriod):
        app.contracts.terminate(ctx(), contract_id, effective=date(2027, 2, 1), reason="moved")
    app.contracts.terminate(
        ctx(reason="moved away"), contract_id, effective=date(2027, 3, 31), reason="moved"
    )
    contract = app.contracts.get(contract_id)
    assert contract.status == ContractStatus.TERMINATED
    with pytest.raises(ContractEnded):
        app.contracts.bill(ctx(at(2027, 4, 5)), contract_id, 2)
    with pytest.raises(InvalidTransition):
        app.contracts.suspend(ctx(), contract_id, reason="late")
    journal = app.history(contract_id)[-1].journal
    assert journal is not None
    assert journal.record.reason == "moved away"


def test_a_suspension_skips_the_periods_starting_meanwhile_and_resume_bills_again(
    app: Comptoir,
) -> None:
    contract_id = sign(app)
    app.contracts.suspend(ctx(at(2027, 2, 10)), contract_id, reason="unpaid")
    with pytest.raises(InvalidTransition):
        app.contracts.suspend(ctx(at(2027, 2, 11)), contract_id, reason="again")
    assert next_period(app.contracts.get(contract_id)) is None
    app.contracts.resume(ctx(at(2027, 4, 1)), contract_id)
    with pytest.raises(InvalidTransition):
        app.contracts.resume(ctx(at(2027, 4, 1)), contract_id)
    contract = app.contracts.get(contract_id)
    assert contract.billable_periods(date(2027, 4, 1)) == [0]
    coming = next_period(contract)
    assert coming is not None
    assert (coming.period_index, coming.period_start) == (0, date(2027, 1, 31))
    app.contracts.bill(ctx(at(2027, 4, 1)), contract_id, 0)
    coming = next_period(app.contracts.get(contract_id))
    assert coming is not None
    assert (coming.period_index, coming.period_start) == (3, date(2027, 4, 30))


def test_a_stale_expected_version_is_refused(app: Comptoir) -> None:
    contract_id = sign(app)
    with pytest.raises(StaleVersion):
        app.contracts.suspend(ctx(expected_version=3), contract_id, reason="late")
    assert app.contracts.get(contract_id).version == 1


# --- C2/S5 covered assets -----------------------------------------------------------------


def test_covering_an_asset_updates_both_documents_in_one_command(app: Comptoir) -> None:
    contract_id = sign(app, kind=ContractKind.MAINTENANCE)
    asset_id = register_asset(app)
    covered = app.contracts.cover_asset(ctx(reason="added to the park"), contract_id, asset_id)
    assert covered.aggregate_id == contract_id
    assert covered.result == {
        "contract_id": str(contract_id),
        "contract_version": 2,
        "asset_id": str(asset_id),
        "asset_version": 2,
    }
    assert app.contracts.get(contract_id).covered_asset_ids == [asset_id]
    assert app.assets.get(asset_id).contract_id == contract_id
    [on_contract] = [e for e in app.history(contract_id) if e.type == "Contract.AssetCovered"]
    [on_asset] = [e for e in app.history(asset_id) if e.type == "Asset.ContractLinked"]
    assert on_contract.journal is not None
    assert on_asset.journal is not None
    assert on_contract.journal.record.command_id == on_asset.journal.record.command_id
    assert on_contract.journal.record.reason == "added to the park"
    assert covered.position == max(on_contract.position, on_asset.position)


def test_covering_again_changes_nothing(app: Comptoir) -> None:
    contract_id = sign(app, kind=ContractKind.MAINTENANCE)
    asset_id = register_asset(app)
    app.contracts.cover_asset(ctx(), contract_id, asset_id)
    before = app.log_position()
    again = app.contracts.cover_asset(ctx(), contract_id, asset_id)
    assert again.position is None
    assert app.log_position() == before


def test_a_refused_cover_changes_neither_document(app: Comptoir) -> None:
    maintenance = sign(app, kind=ContractKind.MAINTENANCE)
    other = sign(app, kind=ContractKind.MAINTENANCE)
    service = sign(app)
    asset_id = register_asset(app)
    app.contracts.cover_asset(ctx(), maintenance, asset_id)
    before = app.log_position()
    with pytest.raises(AssetUnderAnotherContract):
        app.contracts.cover_asset(ctx(), other, asset_id)
    with pytest.raises(NotAMaintenanceContract):
        app.contracts.cover_asset(ctx(), service, register_asset(app))
    before = app.log_position()
    with pytest.raises(NotFound):
        app.contracts.cover_asset(ctx(), other, uuid4())
    assert app.log_position() == before
    assert app.contracts.get(other).covered_asset_ids == []
    assert app.assets.get(asset_id).contract_id == maintenance


def test_uncovering_an_asset_unlinks_it_in_the_same_command(app: Comptoir) -> None:
    contract_id = sign(app, kind=ContractKind.MAINTENANCE)
    asset_id = register_asset(app)
    app.contracts.cover_asset(ctx(), contract_id, asset_id)
    uncovered = app.contracts.uncover_asset(ctx(), contract_id, asset_id)
    assert uncovered.result["contract_version"] == 3
    assert uncovered.result["asset_version"] == 3
    assert app.contracts.get(contract_id).covered_asset_ids == []
    assert app.assets.get(asset_id).contract_id is None
    other = sign(app, kind=ContractKind.MAINTENANCE)
    app.contracts.cover_asset(ctx(), other, asset_id)
    assert app.assets.get(asset_id).contract_id == other


def test_signing_a_maintenance_contract_links_the_assets_it_covers(app: Comptoir) -> None:
    assets = [register_asset(app), register_asset(app)]
    contract_id = sign(app, kind=ContractKind.MAINTENANCE, covered_asset_ids=assets)
    assert app.contracts.get(contract_id).covered_asset_ids == assets
    assert [app.assets.get(a).contract_id for a in assets] == [contract_id, contract_id]
    before = app.log_position()
    with pytest.raises(AssetUnderAnotherContract):
        sign(app, kind=ContractKind.MAINTENANCE, covered_asset_ids=assets[:1])
    with pytest.raises(NotAMaintenanceContract):
        sign(app, covered_asset_ids=assets[:1])
    with pytest.raises(NotFound):
        sign(app, kind=ContractKind.MAINTENANCE, covered_asset_ids=[uuid4()])
    assert app.log_position() == before


# --- C1 invoices: exactly once under retries and duplicated jobs ------------------------


def invoice_numbers(app: Comptoir, year: int = 2027) -> list[str]:
    """The INV numbers of `year` that hold a document, in order, until the first gap."""
    numbers = []
    for n in range(1, 100):
        number = f"INV-{year}-{n:05d}"
        try:
            app.invoices.by_number(number)
        except UnknownInvoiceNumber:
            break
        numbers.append(number)
    return numbers


def test_a_duplicated_billing_job_issues_one_invoice_per_period(app: Comptoir) -> None:
    contract_id = sign(app)
    first = bill_contracts(app, at(2027, 3, 5), [contract_id])
    duplicate = bill_contracts(app, at(2027, 3, 5), [contract_id])
    later_that_day = bill_contracts(app, datetime(2027, 3, 5, 18, tzinfo=UTC), [contract_id])
    assert (first.done, duplicate.done, later_that_day.done) == (2, 0, 0)
    assert invoice_numbers(app) == ["INV-2027-00001", "INV-2027-00002"]
    billed = app.contracts.get(contract_id).billed
    assert [billed[k].invoice_number for k in ("0", "1")] == invoice_numbers(app)
    issued = [app.invoices.by_number(n) for n in invoice_numbers(app)]
    assert {i.issue_date for i in issued} == {date(2027, 3, 5)}
    assert [i.source.reference for i in issued if i.source] == ["0", "1"]


def test_a_bill_retried_with_its_key_replays_and_issues_no_second_invoice(
    app: Comptoir,
) -> None:
    contract_id = sign(app)
    first = app.contracts.bill(ctx(at(2027, 2, 1), idempotency_key="bill-0"), contract_id, 0)
    before = app.log_position()
    again = app.contracts.bill(ctx(at(2027, 2, 1), idempotency_key="bill-0"), contract_id, 0)
    assert again.replayed
    assert again.result == first.result
    assert app.log_position() == before
    without_key = app.contracts.bill(ctx(at(2027, 2, 3)), contract_id, 0)
    assert without_key.result["invoice_number"] == first.result["invoice_number"]
    assert invoice_numbers(app) == ["INV-2027-00001"]


def test_a_period_whose_invoice_is_refused_stays_unbilled(settings: Settings) -> None:
    app = Comptoir(settings.eventstore_env())
    try:
        customer_id = app.customers.register(ctx(), name="Martin SA").aggregate_id
        contract_id = sign(app, customer_id=customer_id)
        with pytest.raises(SellerNotEstablished):
            app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0)
        establish_company(app)
        with pytest.raises(IssueDateInFuture):
            app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0, issue_date=date(2027, 2, 2))
        assert app.contracts.get(contract_id).billed == {}
        billed = app.contracts.bill(ctx(at(2027, 2, 1)), contract_id, 0)
        assert billed.result["invoice_number"] == "INV-2027-00001"
    finally:
        app.close()
