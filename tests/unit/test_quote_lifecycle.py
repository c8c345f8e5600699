"""Quote life cycle beyond drafting: approval, validity, revisions, conversion, copies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Mapper, StoredEvent

from adapters.transcoding import domain_transcoder
from domain.errors import (
    ApprovalRequired,
    CustomerRequired,
    InvalidInput,
    InvalidTransition,
    QuoteAlreadyApproved,
    QuoteCustomerMismatch,
    QuoteExpired,
    QuoteStillValid,
    UnknownLine,
    UnknownRevision,
)
from domain.quote import ApprovalPolicy, Quote, QuoteStatus, ValidityBucket
from domain.quote_copy import copy_of
from domain.quote_lines import FieldChange, LineChange, LineChangeKind, diff_lines
from domain.quote_policy import validity_bucket
from domain.values import Discount, DiscountKind, DiscountMode
from tests.unit.replay import replay, state_of
from tests.unit.test_quote import a_draft, a_line, a_sent_quote, at, rejects_without_events


def on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)


def an_accepted_quote(**overrides: object) -> Quote:
    quote = a_draft(**overrides)
    a_line(quote, description="Boiler")
    a_line(quote, description="Installation")
    a_line(quote, description="Maintenance")
    quote.send(at=at(1))
    quote.accept(at=at(2))
    return quote


# -- approval (Q7) ------------------------------------------------------------------------------


def test_a_quote_over_the_amount_threshold_needs_approval_before_it_is_sent() -> None:
    quote = a_draft()
    a_line(quote, quantity=Decimal(12))
    policy = ApprovalPolicy(max_total=Decimal(1000))
    with pytest.raises(ApprovalRequired) as caught:
        quote.send(at=at(), policy=policy)
    assert caught.value.reasons == ["net total 1200.00 exceeds 1000"]
    rejects_without_events(quote, ApprovalRequired, lambda: quote.send(at=at(), policy=policy))
    quote.approve(at=at(), approver=" Manon ", reason="strategic customer")
    quote.send(at=at(), policy=policy)
    assert quote.status == QuoteStatus.SENT
    assert quote.approval is not None
    assert (quote.approval.approver, quote.approval.revision) == ("Manon", 1)


@pytest.mark.parametrize(
    ("discount", "document"),
    [
        (Discount(DiscountKind.PERCENT, Decimal(20)), []),
        (Discount(DiscountKind.AMOUNT, Decimal(20)), []),
        (None, [Decimal(10), Decimal(8)]),
    ],
)
def test_a_discount_over_the_threshold_needs_approval(
    discount: Discount | None, document: list[Decimal]
) -> None:
    quote = a_draft()
    a_line(quote, discount=discount)
    quote.set_discounts(at=at(), percents=document, mode=DiscountMode.CASCADING)
    assert quote.largest_discount() > Decimal(15)
    rejects_without_events(
        quote,
        ApprovalRequired,
        lambda: quote.send(at=at(), policy=ApprovalPolicy(max_discount_percent=Decimal(15))),
    )


def test_a_low_or_unknown_margin_needs_approval() -> None:
    policy = ApprovalPolicy(min_margin_percent=Decimal(25))
    low = a_draft()
    a_line(low, unit_cost=Decimal(80))
    assert low.approval_reasons(policy) == ["a margin of 20.00 % is below 25 %"]
    unknown = a_draft()
    a_line(unknown)
    assert unknown.approval_reasons(policy) == ["the margin is unknown: a line has no unit cost"]
    fine = a_draft()
    a_line(fine, unit_cost=Decimal(50))
    assert fine.approval_reasons(policy) == []
    fine.send(at=at(), policy=policy)


def test_an_edit_after_approval_withdraws_it() -> None:
    quote = a_draft()
    line_id = a_line(quote, quantity=Decimal(12))
    quote.approve(at=at(), approver="Manon", reason="ok")
    quote.change_line(line_id, at=at(), quantity=Decimal(20))
    assert not quote.approved
    with pytest.raises(ApprovalRequired):
        quote.send(at=at(), policy=ApprovalPolicy(max_total=Decimal(1000)))


def test_approval_is_tied_to_the_revision() -> None:
    policy = ApprovalPolicy(max_total=Decimal(50))
    quote = a_draft()
    a_line(quote)
    quote.approve(at=at(), approver="Manon", reason="ok")
    quote.send(at=at(1), policy=policy)
    quote.revise(at=at(2), reason="customer asked for a second visit")
    assert not quote.approved
    rejects_without_events(quote, ApprovalRequired, lambda: quote.send(at=at(3), policy=policy))


def test_a_revision_is_approved_once_and_only_while_in_draft() -> None:
    quote = a_draft()
    a_line(quote)
    quote.approve(at=at(), approver="Manon", reason="ok")
    rejects_without_events(
        quote,
        QuoteAlreadyApproved,
        lambda: quote.approve(at=at(), approver="Paul", reason="again"),
    )
    quote.send(at=at())
    rejects_without_events(
        quote, InvalidTransition, lambda: quote.approve(at=at(), approver="Paul", reason="late")
    )


def test_an_approval_names_its_approver_and_reason() -> None:
    quote = a_draft()
    rejects_without_events(
        quote, InvalidInput, lambda: quote.approve(at=at(), approver=" ", reason="ok")
    )
    rejects_without_events(
        quote, InvalidInput, lambda: quote.approve(at=at(), approver="Manon", reason="")
    )


# -- validity and expiry (Q5) ---------------------------------------------------------------------


TODAY = date(2025, 3, 10)


@pytest.mark.parametrize(
    ("status", "valid_until", "bucket"),
    [
        ("draft", date(2025, 3, 1), ValidityBucket.PENDING),
        ("sent", None, ValidityBucket.EXPIRES_LATER),
        ("sent", date(2025, 3, 20), ValidityBucket.EXPIRES_LATER),
        ("sent", date(2025, 3, 19), ValidityBucket.EXPIRES_SOON),
        ("sent", TODAY, ValidityBucket.EXPIRES_SOON),
        ("sent", date(2025, 3, 9), ValidityBucket.EXPIRED),
        ("expired", date(2025, 3, 9), ValidityBucket.EXPIRED),
        ("accepted", date(2025, 3, 9), ValidityBucket.SIGNED),
        ("converted", None, ValidityBucket.SIGNED),
        ("declined", date(2025, 3, 20), None),
        ("abandoned", None, None),
    ],
)
def test_each_quote_falls_in_one_validity_bucket(
    status: str, valid_until: date | None, bucket: ValidityBucket | None
) -> None:
    assert validity_bucket(status, valid_until, TODAY) == bucket


def test_the_soon_window_is_a_parameter() -> None:
    quote = a_sent_quote(valid_until=date(2025, 3, 25))
    assert quote.validity_bucket(TODAY) == ValidityBucket.EXPIRES_LATER
    assert quote.validity_bucket(TODAY, soon_days=30) == ValidityBucket.EXPIRES_SOON


def test_a_sent_quote_expires_only_after_its_validity_date() -> None:
    quote = a_sent_quote(valid_until=TODAY)
    rejects_without_events(quote, QuoteStillValid, lambda: quote.expire(at=on(TODAY)))
    quote.expire(at=on(date(2025, 3, 11)))
    assert quote.status == QuoteStatus.EXPIRED
    assert quote.expired_at == on(date(2025, 3, 11))
    rejects_without_events(quote, InvalidTransition, lambda: quote.accept(at=on(TODAY)))


def test_a_quote_without_validity_date_never_expires() -> None:
    quote = a_sent_quote()
    rejects_without_events(quote, QuoteStillValid, lambda: quote.expire(at=on(date(2099, 1, 1))))


def test_only_a_sent_quote_expires() -> None:
    quote = a_draft(valid_until=date(2025, 3, 1))
    rejects_without_events(quote, InvalidTransition, lambda: quote.expire(at=on(TODAY)))


def test_a_quote_cannot_be_sent_past_its_validity_date() -> None:
    quote = a_draft(valid_until=date(2025, 3, 1))
    a_line(quote)
    rejects_without_events(quote, QuoteExpired, lambda: quote.send(at=on(TODAY)))
    quote.set_validity(at=on(TODAY), valid_until=date(2025, 4, 1))
    quote.send(at=on(TODAY))
    assert quote.valid_until == date(2025, 4, 1)


def test_reminders_are_recorded_for_sent_and_expired_quotes() -> None:
    quote = a_sent_quote(valid_until=TODAY)
    quote.remind(at=on(TODAY), channel="email", note="  see attached  ")
    quote.expire(at=on(date(2025, 3, 11)))
    quote.remind(at=on(date(2025, 3, 12)), channel="phone")
    assert quote.reminders_recorded == 2
    assert quote.last_reminded_at == on(date(2025, 3, 12))
    events = quote.collect_events()
    reminder = next(e for e in events if isinstance(e, Quote.ReminderRecorded))
    assert (reminder.channel, reminder.note) == ("email", "see attached")
    rejects_without_events(quote, InvalidInput, lambda: quote.remind(at=at(), channel=" "))
    draft = a_draft()
    rejects_without_events(draft, InvalidTransition, lambda: draft.remind(at=at(), channel="email"))


# -- revisions (Q6) ----------------------------------------------------------------------------


def test_revising_a_sent_quote_opens_the_next_revision_and_keeps_the_sent_one() -> None:
    quote = a_draft()
    first = a_line(quote, quantity=Decimal(2))
    second = a_line(quote, description="Travel")
    quote.send(at=at(1))
    sent = quote.revision_record(1)
    quote.revise(at=at(2), reason=" new scope ")
    assert (quote.status, quote.revision, quote.revision_reason) == (
        QuoteStatus.DRAFT,
        2,
        "new scope",
    )
    quote.change_line(first, at=at(2), quantity=Decimal(3))
    quote.remove_line(second, at=at(2))
    third = a_line(quote, description="Commissioning")
    assert quote.revision_record(1) == sent
    assert sent.sent_at == at(1)
    assert sent.totals().net == Decimal("300.00")
    assert quote.totals().net == Decimal("400.00")
    before, after = sent.lines[first], quote.lines[first]
    assert quote.diff(1, 2) == [
        LineChange(
            first,
            LineChangeKind.CHANGED,
            before,
            after,
            [FieldChange("quantity", Decimal(2), Decimal(3))],
        ),
        LineChange(second, LineChangeKind.REMOVED, before=sent.lines[second]),
        LineChange(third, LineChangeKind.ADDED, after=quote.lines[third]),
    ]
    quote.send(at=at(3))
    assert sorted(quote.revisions) == ["1", "2"]
    assert quote.diff(2, 2) == []


def test_diff_lines_of_identical_lines_is_empty() -> None:
    quote = a_draft()
    a_line(quote)
    assert diff_lines(quote.lines, dict(quote.lines)) == []


def test_an_expired_quote_can_be_revised_and_sent_again_with_a_new_date() -> None:
    quote = a_sent_quote(valid_until=TODAY)
    quote.expire(at=on(date(2025, 3, 11)))
    quote.revise(at=on(date(2025, 3, 12)), reason="extend")
    assert quote.expired_at is None
    quote.set_validity(at=on(date(2025, 3, 12)), valid_until=date(2025, 4, 12))
    quote.send(at=on(date(2025, 3, 12)))
    assert quote.revision_record(1).valid_until == TODAY
    assert quote.revision_record(2).valid_until == date(2025, 4, 12)


def test_a_revision_needs_a_reason_and_a_sent_or_expired_quote() -> None:
    quote = a_sent_quote()
    rejects_without_events(quote, InvalidInput, lambda: quote.revise(at=at(), reason="  "))
    quote.decline(at=at(2))
    rejects_without_events(quote, InvalidTransition, lambda: quote.revise(at=at(), reason="x"))
    draft = a_draft()
    rejects_without_events(draft, InvalidTransition, lambda: draft.revise(at=at(), reason="x"))


def test_an_unknown_revision_cannot_be_read() -> None:
    quote = a_sent_quote()
    with pytest.raises(UnknownRevision):
        quote.revision_record(2)
    with pytest.raises(UnknownRevision):
        quote.diff(0, 1)


# -- abandon, affairs (Q4) ----------------------------------------------------------------------


def test_a_draft_or_sent_quote_can_be_abandoned_with_a_reason() -> None:
    draft = a_draft()
    draft.abandon(at=at(), reason=" duplicate ")
    assert (draft.status, draft.abandon_reason, draft.decided_at) == (
        QuoteStatus.ABANDONED,
        "duplicate",
        at(),
    )
    sent = a_sent_quote()
    sent.abandon(at=at(3))
    assert sent.status == QuoteStatus.ABANDONED
    accepted = an_accepted_quote()
    rejects_without_events(accepted, InvalidTransition, lambda: accepted.abandon(at=at()))


def test_a_quote_is_attached_to_an_affair_once() -> None:
    affair = uuid4()
    quote = a_draft()
    quote.collect_events()
    quote.attach_to_affair(at=at(), affair_id=affair)
    quote.attach_to_affair(at=at(), affair_id=affair)
    assert [type(e) for e in quote.collect_events()] == [Quote.AttachedToAffair]
    assert quote.affair_id == affair
    other = uuid4()
    quote.attach_to_affair(at=at(), affair_id=other)
    assert quote.affair_id == other
    quote.abandon(at=at())
    rejects_without_events(
        quote, InvalidTransition, lambda: quote.attach_to_affair(at=at(), affair_id=affair)
    )


# -- conversion (Q9) ---------------------------------------------------------------------------


def test_an_accepted_quote_converts_with_all_its_lines() -> None:
    quote = an_accepted_quote()
    order_id = uuid4()
    lines = quote.convert(at=at(3), order_id=order_id)
    assert [line.description for line in lines] == ["Boiler", "Installation", "Maintenance"]
    assert (quote.status, quote.order_id, quote.converted_line_ids) == (
        QuoteStatus.CONVERTED,
        order_id,
        ["1", "2", "3"],
    )


def test_an_accepted_quote_converts_with_selected_lines_in_quote_order() -> None:
    quote = an_accepted_quote()
    lines = quote.convert(at=at(3), order_id=uuid4(), line_ids=["3", "1"])
    assert [line.line_id for line in lines] == ["1", "3"]
    event = quote.collect_events()[-1]
    assert isinstance(event, Quote.Converted)
    assert event.line_ids == ["1", "3"]


def test_a_prospect_quote_names_its_customer_at_conversion() -> None:
    quote = an_accepted_quote(customer_id=None, prospect="Acme")
    rejects_without_events(
        quote, CustomerRequired, lambda: quote.convert(at=at(3), order_id=uuid4())
    )
    customer = uuid4()
    quote.convert(at=at(3), order_id=uuid4(), customer_id=customer)
    assert quote.customer_id == customer


def test_a_conversion_refuses_another_customer_or_bad_lines() -> None:
    quote = an_accepted_quote()
    rejects_without_events(
        quote,
        QuoteCustomerMismatch,
        lambda: quote.convert(at=at(3), order_id=uuid4(), customer_id=uuid4()),
    )
    rejects_without_events(
        quote, UnknownLine, lambda: quote.convert(at=at(3), order_id=uuid4(), line_ids=["9"])
    )
    rejects_without_events(
        quote, InvalidInput, lambda: quote.convert(at=at(3), order_id=uuid4(), line_ids=[])
    )


def test_only_an_accepted_quote_converts_and_only_once() -> None:
    quote = a_sent_quote()
    rejects_without_events(
        quote, InvalidTransition, lambda: quote.convert(at=at(3), order_id=uuid4())
    )
    accepted = an_accepted_quote()
    accepted.convert(at=at(3), order_id=uuid4())
    rejects_without_events(
        accepted, InvalidTransition, lambda: accepted.convert(at=at(3), order_id=uuid4())
    )


# -- copies (Q10) ------------------------------------------------------------------------------


def test_a_copy_drafts_a_new_quote_with_the_chosen_lines_under_new_ids() -> None:
    source = an_accepted_quote(title="Boiler room")
    source_lines = dict(source.lines)
    copy = copy_of(source, line_ids=["2", "3"])
    new = copy.draft(at=at(10))
    assert new.id != source.id
    assert (new.status, new.channel, new.title) == (QuoteStatus.DRAFT, "copy", "Boiler room")
    assert list(new.lines) == ["1", "2"]
    assert [line.description for line in new.lines.values()] == ["Installation", "Maintenance"]
    assert source.lines == source_lines


def test_a_whole_quote_is_copied_with_its_document_discounts() -> None:
    source = a_draft(prospect="Acme", customer_id=None)
    a_line(source)
    source.set_discounts(at=at(), percents=[Decimal(5)], mode=DiscountMode.CUMULATIVE)
    new = copy_of(source).draft(at=at(5), valid_until=date(2025, 4, 1))
    assert (new.prospect, new.discounts, new.discount_mode) == (
        "Acme",
        [Decimal(5)],
        DiscountMode.CUMULATIVE,
    )
    assert new.totals() == source.totals()


def test_copying_an_unknown_line_is_refused() -> None:
    with pytest.raises(UnknownLine):
        copy_of(a_draft(), line_ids=["1"])


# -- history and schema evolution (H1, DESIGN 11) ------------------------------------------------


def test_a_full_life_replays_to_the_same_state() -> None:
    quote = a_draft(valid_until=TODAY)
    a_line(quote, unit_cost=Decimal(10))
    quote.set_discounts(at=at(), percents=[Decimal(5)], mode=DiscountMode.CUMULATIVE)
    quote.approve(at=at(), approver="Manon", reason="ok")
    quote.send(at=at(1), policy=ApprovalPolicy(max_discount_percent=Decimal(1)))
    quote.remind(at=at(2), channel="email")
    quote.expire(at=on(date(2025, 3, 11)))
    quote.revise(at=on(date(2025, 3, 11)), reason="extend")
    quote.set_validity(at=on(date(2025, 3, 11)), valid_until=None)
    quote.attach_to_affair(at=on(date(2025, 3, 11)), affair_id=uuid4())
    quote.send(at=on(date(2025, 3, 12)))
    quote.accept(at=on(date(2025, 3, 13)))
    quote.convert(at=on(date(2025, 3, 13)), order_id=uuid4())
    assert state_of(replay(quote.collect_events(), Quote)) == state_of(quote)


def test_a_version_1_drafted_event_reads_back_with_the_direct_channel() -> None:
    quote_id, customer_id = uuid4(), UUID("0f5e7a6a-1d2b-4c3d-8e9f-a0b1c2d3e4f5")
    # Exactly what the transcoder wrote before `channel` existed: no class_version.
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2024-11-05T08:30:00+00:00"},
        "originator_topic": "domain.quote:Quote",
        "at": {"_type_": "datetime_iso", "_data_": "2024-11-05T08:30:00+00:00"},
        "currency": "EUR",
        "customer_id": {"_type_": "uuid_hex", "_data_": customer_id.hex},
        "prospect": None,
        "valid_until": {"_type_": "date_iso", "_data_": "2024-12-05"},
        "salesperson": "Lea",
        "title": "Boiler",
    }
    stored = StoredEvent(
        originator_id=quote_id,
        originator_version=1,
        topic="domain.quote:Quote.Drafted",
        state=json.dumps(state, separators=(",", ":")).encode("utf8"),
    )
    event = Mapper(transcoder=domain_transcoder()).to_domain_event(stored)
    assert isinstance(event, Quote.Drafted)
    assert event.channel == "direct"
    quote = event.mutate(None)
    assert isinstance(quote, Quote)
    assert (quote.id, quote.channel, quote.customer_id, quote.valid_until) == (
        quote_id,
        "direct",
        customer_id,
        date(2024, 12, 5),
    )


def test_a_new_drafted_event_is_stored_as_version_2() -> None:
    quote = a_draft(channel="partner")
    stored = Mapper(transcoder=domain_transcoder()).to_stored_event(quote.collect_events()[0])
    state = json.loads(stored.state)
    assert (state["class_version"], state["channel"]) == (2, "partner")
