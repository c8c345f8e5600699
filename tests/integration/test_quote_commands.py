"""The quote use cases beyond drafting (Q3, Q5–Q11) on the real SQLite and Postgres stores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.app import Comptoir
from application.commands import Outcome
from application.journal import CommandContext
from application.policies import Policies
from domain.affair import Affair
from domain.errors import (
    ApprovalRequired,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    NotFound,
    QuoteAlreadyApproved,
    QuoteStillValid,
    UnknownLine,
    UnknownRevision,
)
from domain.quote import ApprovalPolicy
from domain.values import DiscountMode
from interfaces.settings import Settings

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    policies = Policies(approval=ApprovalPolicy(max_total=Decimal("1000")))
    app = Comptoir(settings.eventstore_env(), policies=policies)
    yield app
    app.close()


def ctx(actor: str = "alice", at: datetime = AT, **kwargs: object) -> CommandContext:
    return CommandContext(actor=actor, at=at, **kwargs)  # type: ignore[arg-type]


def quote_with_line(
    app: Comptoir, price: str = "450.00", valid_until: date | None = date(2026, 12, 31)
) -> UUID:
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect="Martin", valid_until=valid_until)
    app.quotes.add_line(
        ctx(),
        drafted.aggregate_id,
        description="Cash register",
        quantity=Decimal(1),
        unit_price=Decimal(price),
        vat_rate=Decimal(20),
        unit_cost=Decimal("300"),
    )
    return drafted.aggregate_id


def sent_quote(app: Comptoir, valid_until: date | None = date(2026, 12, 31)) -> UUID:
    quote_id = quote_with_line(app, valid_until=valid_until)
    app.quotes.send(ctx(), quote_id)
    return quote_id


def open_affair(app: Comptoir) -> UUID:
    def build() -> Outcome:
        affair = Affair.open(
            AT,
            name="New shop",
            customer_id=None,
            prospect="Martin",
            salesperson="alice",
            currency="EUR",
            expected_amount=Decimal("5000"),
            expected_close=None,
            zone="north",
            country="FR",
            sale_type="product",
            risk="low",
            competitors=[],
        )
        return Outcome([affair])

    return app.runner.run(ctx(), "affair.open", {"n": str(uuid4())}, build).aggregate_id


# -- approval (Q7) ------------------------------------------------------------------------


def test_a_quote_over_the_threshold_cannot_be_sent_before_a_manager_approves_it(
    app: Comptoir,
) -> None:
    quote_id = quote_with_line(app, price="1500.00")
    before = app.log_position()
    with pytest.raises(ApprovalRequired) as refused:
        app.quotes.send(ctx(), quote_id)
    assert refused.value.reasons == ["net total 1500.00 exceeds 1000"]
    assert app.log_position() == before
    app.quotes.approve(ctx("max", reason="key account"), quote_id)
    sent = app.quotes.send(ctx(), quote_id)
    quote = app.quotes.get(quote_id)
    assert (quote.status, sent.version) == ("sent", 4)
    assert quote.approval is not None
    assert (quote.approval.approver, quote.approval.reason) == ("max", "key account")
    approved = app.history(quote_id)[2]
    assert approved.type == "Quote.Approved"
    assert approved.journal is not None
    assert approved.journal.record.actor == "max"
    assert approved.journal.record.command == "quote.approve"


def test_a_quote_under_the_threshold_is_sent_without_approval(app: Comptoir) -> None:
    quote_id = quote_with_line(app, price="999.99")
    assert app.quotes.send(ctx(), quote_id).version == 3


def test_an_approval_needs_a_reason_and_is_given_once_per_revision(app: Comptoir) -> None:
    quote_id = quote_with_line(app, price="1500.00")
    with pytest.raises(InvalidInput):
        app.quotes.approve(ctx("max"), quote_id)
    app.quotes.approve(ctx("max", reason="ok"), quote_id)
    with pytest.raises(QuoteAlreadyApproved):
        app.quotes.approve(ctx("max", reason="again"), quote_id)


def test_an_idempotent_approval_retry_replays_the_first_answer(app: Comptoir) -> None:
    quote_id = quote_with_line(app, price="1500.00")
    first = app.quotes.approve(ctx("max", reason="ok", idempotency_key="ap-1"), quote_id)
    before = app.log_position()
    again = app.quotes.approve(ctx("max", reason="ok", idempotency_key="ap-1"), quote_id)
    assert again.replayed
    assert (again.version, again.position) == (first.version, first.position)
    assert app.log_position() == before


# -- discounts and validity (Q3, Q5) -------------------------------------------------------


def test_document_discounts_replace_the_previous_ones_and_change_the_totals(
    app: Comptoir,
) -> None:
    quote_id = quote_with_line(app, price="100.00")
    app.quotes.set_discounts(
        ctx(), quote_id, percents=[Decimal(10), Decimal(10)], mode=DiscountMode.CASCADING
    )
    assert app.quotes.get(quote_id).totals().net == Decimal("81.00")
    app.quotes.set_discounts(
        ctx(), quote_id, percents=[Decimal(10), Decimal(10)], mode=DiscountMode.CUMULATIVE
    )
    assert app.quotes.get(quote_id).totals().net == Decimal("80.00")
    with pytest.raises(InvalidAmount):
        app.quotes.set_discounts(ctx(), quote_id, percents=[Decimal(101)], mode="cascading")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        app.quotes.set_discounts(ctx(), quote_id, percents=[], mode="sideways")  # type: ignore[arg-type]


def test_only_a_draft_changes_its_discounts_or_validity(app: Comptoir) -> None:
    quote_id = sent_quote(app)
    before = app.log_position()
    with pytest.raises(InvalidTransition):
        app.quotes.set_discounts(ctx(), quote_id, percents=[], mode=DiscountMode.CASCADING)
    with pytest.raises(InvalidTransition):
        app.quotes.set_validity(ctx(), quote_id, valid_until=date(2027, 1, 31))
    assert app.log_position() == before


def test_a_draft_validity_date_can_be_changed_and_cleared(app: Comptoir) -> None:
    quote_id = quote_with_line(app)
    app.quotes.set_validity(ctx(), quote_id, valid_until=date(2027, 1, 31))
    assert app.quotes.get(quote_id).valid_until == date(2027, 1, 31)
    app.quotes.set_validity(ctx(), quote_id, valid_until=None)
    assert app.quotes.get(quote_id).valid_until is None


# -- revisions and diffs (Q6) --------------------------------------------------------------


def test_revising_a_sent_quote_opens_an_editable_revision_and_keeps_the_sent_one(
    app: Comptoir,
) -> None:
    quote_id = sent_quote(app)
    app.quotes.revise(ctx(reason="five more units"), quote_id)
    app.quotes.change_line(ctx(), quote_id, "1", {"quantity": Decimal(6)})
    quote = app.quotes.get(quote_id)
    assert (quote.status, quote.revision, quote.revision_reason) == ("draft", 2, "five more units")
    first = app.quotes.revision(quote_id, 1)
    assert first.lines["1"].quantity == Decimal(1)
    assert first.sent_at == AT
    assert app.quotes.revision(quote_id, 2).lines["1"].quantity == Decimal(6)
    with pytest.raises(UnknownRevision):
        app.quotes.revision(quote_id, 9)
    diff = app.quotes.diff_revisions(quote_id, 1, 2)
    [line] = diff.lines
    assert (line.line_id, line.kind) == ("1", "changed")
    assert [(f.name, f.before, f.after) for f in line.fields] == [
        ("quantity", Decimal(1), Decimal(6))
    ]
    assert {f.name for f in diff.fields} >= {"revision", "sent_at", "reason"}


def test_a_revision_needs_a_reason_and_a_sent_or_expired_quote(app: Comptoir) -> None:
    draft_id = quote_with_line(app)
    with pytest.raises(InvalidTransition):
        app.quotes.revise(ctx(reason="why not"), draft_id)
    quote_id = sent_quote(app)
    with pytest.raises(InvalidInput):
        app.quotes.revise(ctx(), quote_id)


def test_two_versions_differ_by_the_quote_fields_and_lines_that_changed(app: Comptoir) -> None:
    quote_id = quote_with_line(app)
    app.quotes.set_discounts(ctx(), quote_id, percents=[Decimal(5)], mode=DiscountMode.CASCADING)
    app.quotes.remove_line(ctx(), quote_id, "1")
    diff = app.quotes.diff_versions(quote_id, 2, 4)
    assert [(f.name, f.before, f.after) for f in diff.fields] == [("discounts", [], [Decimal(5)])]
    [line] = diff.lines
    assert (line.line_id, line.kind, line.after) == ("1", "removed", None)
    assert line.before is not None
    assert line.before.unit_price == Decimal("450.00")
    with pytest.raises(NotFound):
        app.quotes.diff_versions(quote_id, 1, 9)


# -- abandon, expire, remind (Q4, Q5, Q11) -------------------------------------------------


def test_an_abandoned_quote_keeps_the_reason_and_cannot_be_abandoned_again(
    app: Comptoir,
) -> None:
    quote_id = sent_quote(app)
    app.quotes.abandon(ctx(reason="customer closed the shop"), quote_id)
    quote = app.quotes.get(quote_id)
    assert (quote.status, quote.abandon_reason) == ("abandoned", "customer closed the shop")
    with pytest.raises(InvalidTransition):
        app.quotes.abandon(ctx(), quote_id)


def test_a_sent_quote_expires_only_after_its_validity_date(app: Comptoir) -> None:
    quote_id = sent_quote(app, valid_until=date(2026, 11, 10))
    with pytest.raises(QuoteStillValid):
        app.quotes.expire(ctx("scheduler"), quote_id)
    app.quotes.expire(ctx("scheduler", at=AT + timedelta(days=9)), quote_id)
    quote = app.quotes.get(quote_id)
    assert quote.status == "expired"
    assert quote.validity_bucket(date(2026, 11, 12)) == "expired"
    open_ended = sent_quote(app, valid_until=None)
    with pytest.raises(QuoteStillValid):
        app.quotes.expire(ctx("scheduler", at=AT + timedelta(days=900)), open_ended)


def test_reminders_are_recorded_on_sent_quotes_only(app: Comptoir) -> None:
    draft_id = quote_with_line(app)
    with pytest.raises(InvalidTransition):
        app.quotes.remind(ctx(), draft_id, channel="email")
    quote_id = sent_quote(app)
    app.quotes.remind(ctx(), quote_id, channel="phone", note="call back Monday")
    with pytest.raises(InvalidInput):
        app.quotes.remind(ctx(), quote_id, channel=" ")
    quote = app.quotes.get(quote_id)
    assert (quote.reminders_recorded, quote.last_reminded_at) == (1, AT)
    assert app.history(quote_id)[-1].event.channel == "phone"  # type: ignore[attr-defined]


# -- bulk actions (Q11) ---------------------------------------------------------------------


def test_bulk_reminders_record_each_quote_alone_and_report_the_unknown_one(
    app: Comptoir,
) -> None:
    first, second = sent_quote(app), sent_quote(app)
    unknown = uuid4()
    items = app.quotes.bulk(
        ctx(reason="end of month", idempotency_key="rem-7"),
        "reminder",
        [first, unknown, second],
        channel="email",
    )
    assert [(i.quote_id, i.ok) for i in items] == [(first, True), (unknown, False), (second, True)]
    assert (items[1].code, items[0].version) == ("not-found", 4)
    for quote_id in (first, second):
        journal = app.history(quote_id)[-1].journal
        assert journal is not None
        assert journal.record.idempotency_key == f"rem-7:{quote_id}"
        assert (journal.record.reason, journal.record.command) == ("end of month", "quote.remind")
    assert items[0].position != items[2].position
    before = app.log_position()
    again = app.quotes.bulk(
        ctx(reason="end of month", idempotency_key="rem-7"),
        "reminder",
        [first, unknown, second],
        channel="email",
    )
    assert [i.replayed for i in again] == [True, False, True]
    assert app.log_position() == before


def test_a_refused_item_of_a_bulk_action_does_not_stop_the_others(app: Comptoir) -> None:
    draft_id, sent_id = quote_with_line(app), sent_quote(app)
    items = app.quotes.bulk(ctx(), "reminder", [draft_id, sent_id], channel="email")
    assert [(i.ok, i.code) for i in items] == [(False, "invalid-transition"), (True, None)]
    assert app.quotes.get(draft_id).reminders_recorded == 0
    assert app.quotes.get(sent_id).reminders_recorded == 1


def test_bulk_abandon_and_bulk_attach_apply_to_each_quote(app: Comptoir) -> None:
    affair_id = open_affair(app)
    first, second = sent_quote(app), quote_with_line(app)
    attached = app.quotes.bulk(ctx(), "attach_to_affair", [first, second], affair_id=affair_id)
    assert all(i.ok for i in attached)
    assert app.quotes.get(second).affair_id == affair_id
    abandoned = app.quotes.bulk(ctx(reason="lost"), "abandon", [first, second])
    assert all(i.ok for i in abandoned)
    assert app.quotes.get(first).abandon_reason == "lost"


def test_an_unknown_bulk_action_or_too_many_quotes_is_refused(app: Comptoir) -> None:
    with pytest.raises(InvalidInput):
        app.quotes.bulk(ctx(), "delete", [uuid4()])
    with pytest.raises(InvalidInput):
        app.quotes.bulk(ctx(), "reminder", [uuid4() for _ in range(501)], channel="email")
    with pytest.raises(InvalidInput):
        app.quotes.bulk(ctx(), "attach_to_affair", [uuid4()])


# -- affairs and copies (Q10) ---------------------------------------------------------------


def test_a_quote_is_attached_to_an_existing_affair_only(app: Comptoir) -> None:
    quote_id = quote_with_line(app)
    with pytest.raises(NotFound):
        app.quotes.attach_to_affair(ctx(), quote_id, affair_id=uuid4())
    affair_id = open_affair(app)
    attached = app.quotes.attach_to_affair(ctx(), quote_id, affair_id=affair_id)
    assert attached.result == {"affair_id": str(affair_id)}
    assert app.quotes.get(quote_id).affair_id == affair_id
    with pytest.raises(NotFound):
        app.quotes.attach_to_affair(ctx(), affair_id, affair_id=affair_id)


def test_a_copy_is_a_new_draft_with_its_own_line_ids(app: Comptoir) -> None:
    source = sent_quote(app)
    app.quotes.revise(ctx(reason="more"), source)
    app.quotes.add_line(
        ctx(),
        source,
        description="Drawer",
        quantity=Decimal(2),
        unit_price=Decimal(50),
        vat_rate=Decimal(20),
    )
    app.quotes.remove_line(ctx(), source, "1")
    copied = app.quotes.copy(ctx(), source, valid_until=date(2027, 2, 1))
    copy = app.quotes.get(copied.aggregate_id)
    assert copied.aggregate_id != source
    assert copied.result == {"source_id": str(source), "source_revision": 2}
    assert (copy.status, copy.channel, copy.valid_until) == ("draft", "copy", date(2027, 2, 1))
    assert list(copy.lines) == ["1"]
    assert copy.lines["1"].description == "Drawer"
    assert list(app.quotes.get(source).lines) == ["2"]
    with pytest.raises(UnknownLine):
        app.quotes.copy(ctx(), source, line_ids=["1"])


def test_a_copy_can_take_only_some_lines(app: Comptoir) -> None:
    source = quote_with_line(app)
    app.quotes.add_line(
        ctx(),
        source,
        description="Drawer",
        quantity=Decimal(2),
        unit_price=Decimal(50),
        vat_rate=Decimal(20),
    )
    copied = app.quotes.copy(ctx(), source, line_ids=["2"])
    copy = app.quotes.get(copied.aggregate_id)
    assert [(i, line.description) for i, line in copy.lines.items()] == [("1", "Drawer")]
    assert copy.valid_until is None


# -- the past (as of a recorded time) -------------------------------------------------------


def test_a_quote_reads_as_it_stood_at_a_recorded_time(app: Comptoir) -> None:
    drafted = app.quotes.draft(ctx(), currency="EUR", prospect="Martin")
    time.sleep(0.01)
    quote_id = drafted.aggregate_id
    app.quotes.set_validity(ctx(), quote_id, valid_until=date(2027, 1, 1))
    first, second = app.history(quote_id)
    assert app.quotes.as_of(quote_id, first.recorded_at).version == 1
    assert app.quotes.as_of(quote_id, first.recorded_at).valid_until is None
    assert app.quotes.as_of(quote_id, second.recorded_at + timedelta(days=1)).version == 2
    with pytest.raises(NotFound):
        app.quotes.as_of(quote_id, first.recorded_at - timedelta(seconds=1))
    with pytest.raises(InvalidInput):
        app.quotes.as_of(quote_id, datetime(2030, 1, 1))
    with pytest.raises(NotFound):
        app.quotes.as_of(uuid4(), first.recorded_at)
