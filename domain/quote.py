"""The Quote aggregate (devis): lines, discounts, revisions, approval and the life cycle."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import (
    ApprovalRequired,
    CustomerRequired,
    EmptyQuote,
    InvalidAmount,
    InvalidInput,
    InvalidTransition,
    QuoteAlreadyApproved,
    QuoteCustomerMismatch,
    QuoteExpired,
    QuotePartyRequired,
    QuoteStillValid,
    UnknownLine,
    UnknownRevision,
)
from domain.quote_lines import (
    CatalogueSource,
    LineChange,
    QuoteLine,
    RevisionRecord,
    bounded_totals,
    changed_line,
    checked_at,
    checked_date,
    checked_decimal,
    checked_line,
    checked_uuid,
    diff_lines,
    optional_text,
    required_text,
)
from domain.quote_policy import (
    Approval,
    ApprovalPolicy,
    QuoteStatus,
    ValidityBucket,
    largest_discount,
    validity_bucket,
)
from domain.values import (
    HUNDRED,
    Discount,
    DiscountMode,
    Totals,
    check_currency,
    check_finite,
)

__all__ = [
    "TRANSITIONS",
    "ApprovalPolicy",
    "Quote",
    "QuoteLine",
    "QuoteStatus",
    "ValidityBucket",
    "diff_lines",
]

S = QuoteStatus
ATTACH = "attached to an affair"
# What each state allows, named by the past participle the error message uses. "edited"
# covers lines, discounts and validity date: only a draft changes; a sent one is revised.
TRANSITIONS: dict[QuoteStatus, frozenset[str]] = {
    S.DRAFT: frozenset({"edited", "approved", "sent", "abandoned", ATTACH}),
    S.SENT: frozenset(
        {"accepted", "declined", "abandoned", "expired", "revised", "reminded", ATTACH}
    ),
    S.ACCEPTED: frozenset({"converted", ATTACH}),
    S.EXPIRED: frozenset({"revised", "reminded"}),
    S.DECLINED: frozenset(),
    S.ABANDONED: frozenset(),
    S.CONVERTED: frozenset(),
}


class Quote(Aggregate):
    """A quote to a customer or a prospect, from draft to its decision and its order."""

    class Drafted(Aggregate.Created):
        """v2 added `channel`; v1 events were all drafted directly."""

        class_version = 2
        at: datetime
        currency: str
        customer_id: UUID | None
        prospect: str | None
        valid_until: date | None
        salesperson: str | None
        title: str
        channel: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["channel"] = "direct"

    @event(Drafted)
    def __init__(
        self,
        *,
        at: datetime,
        currency: str,
        customer_id: UUID | None,
        prospect: str | None,
        valid_until: date | None,
        salesperson: str | None,
        title: str,
        channel: str,
    ) -> None:
        self.drafted_at = at
        self.status = QuoteStatus.DRAFT
        self.currency, self.customer_id, self.prospect = currency, customer_id, prospect
        self.valid_until, self.salesperson, self.title = valid_until, salesperson, title
        self.channel = channel
        self.lines: dict[str, QuoteLine] = {}
        self.lines_added = 0
        self.discounts: list[Decimal] = []
        self.discount_mode = DiscountMode.CASCADING
        self.revision = 1
        self.revision_reason: str | None = None
        self.revisions: dict[str, RevisionRecord] = {}
        self.approval: Approval | None = None
        self.sent_at: datetime | None = None
        self.decided_at: datetime | None = None
        self.decline_reason: str | None = None
        self.abandon_reason: str | None = None
        self.expired_at: datetime | None = None
        self.reminders_recorded = 0
        self.last_reminded_at: datetime | None = None
        self.affair_id: UUID | None = None
        self.order_id: UUID | None = None
        self.converted_line_ids: list[str] = []

    @classmethod
    def draft(
        cls,
        *,
        at: datetime,
        currency: str,
        customer_id: UUID | None = None,
        prospect: str | None = None,
        valid_until: date | None = None,
        salesperson: str | None = None,
        title: str = "",
        channel: str = "direct",
    ) -> Quote:
        """Draft a quote for a known customer or a named prospect (Q1)."""
        prospect = optional_text(prospect, "a prospect")
        if checked_uuid(customer_id, "a customer id") is None and prospect is None:
            raise QuotePartyRequired("a quote needs a customer or a prospect's name")
        return cls(
            at=checked_at(at),
            currency=check_currency(currency),
            customer_id=customer_id,
            prospect=prospect,
            valid_until=checked_date(valid_until),
            salesperson=optional_text(salesperson, "a salesperson"),
            title=optional_text(title, "a title") or "",
            channel=required_text(channel, "a channel"),
        )

    # -- reading ------------------------------------------------------------------------

    def totals(self) -> Totals:
        """Totals of the current revision, document discounts included (Q2, Q3, Q8)."""
        return self.revision_record(self.revision).totals()

    def line_margin(self, line_id: str) -> Decimal | None:
        """A line's net (after its own discount) less its cost; None without unit cost."""
        return self._line(line_id).margin(self.currency)

    def largest_discount(self) -> Decimal:
        """The largest discount in percent: any line's, or the combined document one."""
        return largest_discount(self.lines.values(), self.discounts, self.discount_mode)

    def approval_reasons(self, policy: ApprovalPolicy) -> list[str]:
        """Why the current revision crosses the policy's thresholds (empty: it does not)."""
        return policy.reasons(self.totals(), self.largest_discount())

    @property
    def approved(self) -> bool:
        """Whether a manager approved the current revision."""
        return self.approval is not None and self.approval.revision == self.revision

    def validity_bucket(self, today: date, soon_days: int = 10) -> ValidityBucket | None:
        """The dashboard bucket on `today` (Q5); None for declined or abandoned quotes."""
        return validity_bucket(self.status, self.valid_until, today, soon_days)

    def revision_record(self, revision: int) -> RevisionRecord:
        """What revision N said: as sent, or as it stands for the current draft (Q6)."""
        if revision != self.revision:
            try:
                return self.revisions[str(revision)]
            except KeyError:
                raise UnknownRevision(f"quote has no revision {revision}") from None
        return RevisionRecord(
            revision=self.revision,
            currency=self.currency,
            lines=dict(self.lines),
            discounts=list(self.discounts),
            discount_mode=self.discount_mode,
            valid_until=self.valid_until,
            sent_at=self.sent_at,
            reason=self.revision_reason,
        )

    def diff(self, old: int, new: int) -> list[LineChange]:
        """Line changes from revision `old` to revision `new`."""
        return diff_lines(self.revision_record(old).lines, self.revision_record(new).lines)

    def _bounded(
        self,
        lines: dict[str, QuoteLine],
        discounts: list[Decimal] | None = None,
        mode: DiscountMode | None = None,
    ) -> None:
        """Refuse a change that would take a total of the quote past the bounds."""
        chosen = self.discounts if discounts is None else discounts
        bounded_totals(lines, self.currency, chosen, mode or self.discount_mode)

    def _require(self, verb: str) -> None:
        if verb not in TRANSITIONS[self.status]:
            raise InvalidTransition("quote", self.status, verb)

    def _line(self, line_id: str) -> QuoteLine:
        try:
            return self.lines[line_id]
        except KeyError:
            raise UnknownLine(f"quote has no line {line_id!r}") from None

    # -- editing a draft (Q2, Q3, Q5) -----------------------------------------------------

    def add_line(
        self,
        *,
        at: datetime,
        description: str,
        quantity: Decimal,
        unit_price: Decimal,
        vat_rate: Decimal,
        unit: str = "unit",
        product_ref: str | None = None,
        discount: Discount | None = None,
        unit_cost: Decimal | None = None,
        source: CatalogueSource | None = None,
    ) -> str:
        """Add a line to a draft; return its id ("1", "2", … never reused). A line from
        the catalogue says so in `source` (P4)."""
        self._require("edited")
        line = QuoteLine(
            str(self.lines_added + 1),
            description,
            quantity,
            unit_price,
            vat_rate,
            unit,
            product_ref,
            discount,
            unit_cost,
            source,
        )
        at, line = checked_at(at), checked_line(line)
        self._bounded({**self.lines, line.line_id: line})
        self._add_line(at=at, line=line)
        return line.line_id

    @event("LineAdded")
    def _add_line(self, at: datetime, line: QuoteLine) -> None:
        self.lines[line.line_id] = line
        self.lines_added += 1
        self.approval = None

    def change_line(self, line_id: str, *, at: datetime, **changes: Any) -> None:
        """Change fields of a draft's line; nothing is recorded when nothing differs."""
        self._require("edited")
        line = changed_line(self._line(line_id), changes)
        if line != self.lines[line_id]:
            at = checked_at(at)
            self._bounded({**self.lines, line_id: line})
            self._change_line(at=at, line=line)

    @event("LineChanged")
    def _change_line(self, at: datetime, line: QuoteLine) -> None:
        self.lines[line.line_id] = line
        self.approval = None

    def remove_line(self, line_id: str, *, at: datetime) -> None:
        """Remove a line from a draft."""
        self._require("edited")
        self._line(line_id)
        self._remove_line(at=checked_at(at), line_id=line_id)

    @event("LineRemoved")
    def _remove_line(self, at: datetime, line_id: str) -> None:
        del self.lines[line_id]
        self.approval = None

    def set_discounts(self, *, at: datetime, percents: list[Decimal], mode: DiscountMode) -> None:
        """Replace the document discounts, applied in cascade or summed (Q3)."""
        self._require("edited")
        if not isinstance(percents, list):
            raise InvalidInput(f"document discounts must be a list, got {percents!r}")
        checked = [check_finite(checked_decimal(p, "a discount"), "a discount") for p in percents]
        if any(percent > HUNDRED for percent in checked):
            raise InvalidAmount(f"a discount cannot exceed 100 %, got {max(checked)}")
        if mode not in tuple(DiscountMode):
            raise InvalidInput(f"unknown discount mode {mode!r}")
        at = checked_at(at)
        self._bounded(self.lines, bounds.discounts(checked, "percents"), DiscountMode(mode))
        self._set_discounts(at=at, percents=checked, mode=mode)

    @event("DiscountsSet")
    def _set_discounts(self, at: datetime, percents: list[Decimal], mode: DiscountMode) -> None:
        self.discounts = list(percents)
        self.discount_mode = DiscountMode(mode)
        self.approval = None

    def set_validity(self, *, at: datetime, valid_until: date | None) -> None:
        """Change the validity date of a draft."""
        self._require("edited")
        self._set_validity(at=checked_at(at), valid_until=checked_date(valid_until))

    @event("ValidityChanged")
    def _set_validity(self, at: datetime, valid_until: date | None) -> None:
        self.valid_until = valid_until

    # -- approval and sending (Q7) --------------------------------------------------------

    def approve(self, *, at: datetime, approver: str, reason: str) -> None:
        """Record a manager's approval of the current revision."""
        self._require("approved")
        if self.approved:
            raise QuoteAlreadyApproved(f"revision {self.revision} is already approved")
        approver_ = required_text(approver, "an approver")
        reason_ = required_text(reason, "a reason")
        self._approve(at=checked_at(at), approver=approver_, reason=reason_, revision=self.revision)

    @event("Approved")
    def _approve(self, at: datetime, approver: str, reason: str, revision: int) -> None:
        self.approval = Approval(approver, reason, at, revision)

    def send(self, *, at: datetime, policy: ApprovalPolicy | None = None) -> None:
        """Send the draft; past the policy's thresholds it must be approved first."""
        self._require("sent")
        if not self.lines:
            raise EmptyQuote("a quote without lines cannot be sent")
        if self.valid_until is not None and checked_at(at).date() > self.valid_until:
            raise QuoteExpired(f"the validity date {self.valid_until} has passed")
        reasons = [] if policy is None else self.approval_reasons(policy)
        if reasons and not self.approved:
            raise ApprovalRequired(reasons)
        self._send(at=checked_at(at))

    @event("Sent")
    def _send(self, at: datetime) -> None:
        self.status = QuoteStatus.SENT
        self.sent_at = at
        self.revisions[str(self.revision)] = self.revision_record(self.revision)

    # -- the customer's answer and its absence (Q4, Q5, Q11) ------------------------------

    def accept(self, *, at: datetime) -> None:
        """Record the customer's signature, within the validity date."""
        self._require("accepted")
        if self.valid_until is not None and checked_at(at).date() > self.valid_until:
            raise QuoteExpired(f"this quote was valid until {self.valid_until}")
        self._accept(at=checked_at(at))

    @event("Accepted")
    def _accept(self, at: datetime) -> None:
        self.status = QuoteStatus.ACCEPTED
        self.decided_at = at

    def decline(self, *, at: datetime, reason: str | None = None) -> None:
        """Record that the customer declined the quote."""
        self._require("declined")
        self._decline(at=checked_at(at), reason=optional_text(reason, "a reason"))

    @event("Declined")
    def _decline(self, at: datetime, reason: str | None) -> None:
        self.status = QuoteStatus.DECLINED
        self.decided_at = at
        self.decline_reason = reason

    def abandon(self, *, at: datetime, reason: str | None = None) -> None:
        """Give up on a draft or sent quote."""
        self._require("abandoned")
        self._abandon(at=checked_at(at), reason=optional_text(reason, "a reason"))

    @event("Abandoned")
    def _abandon(self, at: datetime, reason: str | None) -> None:
        self.status = QuoteStatus.ABANDONED
        self.decided_at = at
        self.abandon_reason = reason

    def expire(self, *, at: datetime) -> None:
        """The scheduled job's verb: a sent quote past its validity date expires."""
        self._require("expired")
        if self.valid_until is None:
            raise QuoteStillValid("this quote has no validity date: it never expires")
        if checked_at(at).date() <= self.valid_until:
            raise QuoteStillValid(f"this quote is valid until {self.valid_until}")
        self._expire(at=at)

    @event("Expired")
    def _expire(self, at: datetime) -> None:
        self.status = QuoteStatus.EXPIRED
        self.expired_at = at

    def remind(self, *, at: datetime, channel: str, note: str = "") -> None:
        """Record a reminder sent to the customer about a sent or expired quote."""
        self._require("reminded")
        channel_ = required_text(channel, "a channel")
        self._remind(at=checked_at(at), channel=channel_, note=optional_text(note, "a note") or "")

    @event("ReminderRecorded")
    def _remind(self, at: datetime, channel: str, note: str) -> None:
        self.reminders_recorded += 1
        self.last_reminded_at = at

    # -- revisions (Q6), affairs and conversion (Q9) ----------------------------------------

    def revise(self, *, at: datetime, reason: str) -> None:
        """Open revision N+1 of a sent or expired quote as a draft; revision N stays."""
        self._require("revised")
        reason_ = required_text(reason, "a reason")
        self._revise(at=checked_at(at), reason=reason_, revision=self.revision + 1)

    @event("Revised")
    def _revise(self, at: datetime, reason: str, revision: int) -> None:
        self.revision = revision
        self.revision_reason = reason
        self.status = QuoteStatus.DRAFT
        self.sent_at = self.expired_at = None
        self.approval = None

    def attach_to_affair(self, *, at: datetime, affair_id: UUID) -> None:
        """Follow this quote in an affair; attaching it again to the same one does nothing."""
        self._require(ATTACH)
        if checked_uuid(affair_id, "an affair id") is None:
            raise InvalidInput("an affair id is required")
        if affair_id != self.affair_id:
            self._attach_to_affair(at=checked_at(at), affair_id=affair_id)

    @event("AttachedToAffair")
    def _attach_to_affair(self, at: datetime, affair_id: UUID) -> None:
        self.affair_id = affair_id

    def convert(
        self,
        *,
        at: datetime,
        order_id: UUID,
        line_ids: list[str] | None = None,
        customer_id: UUID | None = None,
    ) -> list[QuoteLine]:
        """Convert an accepted quote into an order; return the lines the order takes."""
        self._require("converted")
        if checked_uuid(order_id, "an order id") is None:
            raise InvalidInput("an order id is required")
        if checked_uuid(customer_id, "a customer id") is None and self.customer_id is None:
            raise CustomerRequired("a prospect's quote must name its customer to convert")
        if None not in (customer_id, self.customer_id) and customer_id != self.customer_id:
            raise QuoteCustomerMismatch(f"this quote belongs to customer {self.customer_id}")
        if line_ids is not None:
            if not line_ids:
                raise InvalidInput("a conversion needs at least one line")
            for line_id in line_ids:
                self._line(line_id)
        chosen = [i for i in self.lines if line_ids is None or i in line_ids]
        customer = customer_id or self.customer_id
        assert customer is not None
        self._convert(at=checked_at(at), order_id=order_id, line_ids=chosen, customer_id=customer)
        return [self.lines[line_id] for line_id in chosen]

    @event("Converted")
    def _convert(
        self, at: datetime, order_id: UUID, line_ids: list[str], customer_id: UUID
    ) -> None:
        self.status = QuoteStatus.CONVERTED
        self.order_id = order_id
        self.customer_id = customer_id
        self.converted_line_ids = list(line_ids)
