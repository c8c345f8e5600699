"""Quote commands (Q1–Q11) and the reads of quotes' past: one method per verb, no rule here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.affairs import check_assignable
from application.catalogue import CatalogueCommands
from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from application.policies import Policies
from application.pricing import Pricing
from application.quote_bulk import BulkItem, run_each
from application.quote_reads import QuoteDiff, quote_field_changes
from domain.affair import Affair
from domain.errors import InvalidInput
from domain.quote import Quote
from domain.quote_copy import copy_of
from domain.quote_lines import RevisionRecord, diff_lines
from domain.values import Discount, DiscountMode

__all__ = ["BULK_ACTIONS", "BulkItem", "QuoteCommands", "QuoteDiff"]

# What POST /quotes/bulk-actions may apply to many quotes, each as its own command.
BULK_ACTIONS = frozenset({"reminder", "attach_to_affair", "abandon"})
BULK_LIMIT = 500


class QuoteCommands:
    """Use cases of the Quote aggregate."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    @property
    def policies(self) -> Policies:
        """The deployment's policies, held by the application the runner saves into."""
        policies: Policies = getattr(self.runner.app, "policies", None) or Policies()
        return policies

    # -- reads -------------------------------------------------------------------------

    def get(self, quote_id: UUID, version: int | None = None) -> Quote:
        """The quote as it stands now, or as it stood at `version`."""
        quote = self.runner.load(Quote, quote_id)
        if version is None or version == quote.version:
            return quote
        return self.runner.load_version(Quote, quote_id, version)

    def as_of(self, quote_id: UUID, moment: datetime) -> Quote:
        """The quote as it stood at the recorded time `moment` (timezone-aware)."""
        return self.runner.load_as_of(Quote, quote_id, moment)

    def revision(self, quote_id: UUID, revision: int) -> RevisionRecord:
        """What revision N of the quote said: as sent, or as the current draft stands (Q6)."""
        return self.runner.load(Quote, quote_id).revision_record(revision)

    def diff_versions(self, quote_id: UUID, old: int, new: int) -> QuoteDiff:
        """Field and line changes between two versions of the quote's event history."""
        before, after = self.get(quote_id, old), self.get(quote_id, new)
        return QuoteDiff(quote_field_changes(before, after), diff_lines(before.lines, after.lines))

    def diff_revisions(self, quote_id: UUID, old: int, new: int) -> QuoteDiff:
        """Field and line changes between two revisions of the quote (Q6)."""
        quote = self.runner.load(Quote, quote_id)
        before, after = quote.revision_record(old), quote.revision_record(new)
        return QuoteDiff(quote_field_changes(before, after), diff_lines(before.lines, after.lines))

    # -- drafting and editing (Q1, Q2, Q3, Q5, Q10) --------------------------------------

    def draft(
        self,
        ctx: CommandContext,
        *,
        currency: str,
        customer_id: UUID | None = None,
        prospect: str | None = None,
        valid_until: date | None = None,
        salesperson: str | None = None,
        title: str = "",
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "currency": currency,
            "customer_id": customer_id,
            "prospect": prospect,
            "valid_until": valid_until,
            # a quote drafted without a salesperson belongs to whoever drafts it
            "salesperson": salesperson or ctx.actor,
            "title": title,
        }
        check_assignable(ctx, salesperson, "quote")
        return self.runner.run(
            ctx, "quote.draft", fields, lambda: Outcome([Quote.draft(at=ctx.at, **fields)])
        )

    def copy(
        self,
        ctx: CommandContext,
        quote_id: UUID,
        *,
        line_ids: list[str] | None = None,
        valid_until: date | None = None,
    ) -> CommandResult:
        """A new draft with the quote's party, discounts and all or some lines (Q10)."""

        def build() -> Outcome:
            source = self.runner.load(Quote, quote_id)
            copy = copy_of(source, line_ids).draft(at=ctx.at, valid_until=valid_until)
            return Outcome([copy], {"source_id": str(quote_id), "source_revision": source.revision})

        payload = {"quote_id": quote_id, "line_ids": line_ids, "valid_until": valid_until}
        return self.runner.run(ctx, "quote.copy", payload, build)

    def add_line(
        self,
        ctx: CommandContext,
        quote_id: UUID,
        *,
        description: str,
        quantity: Decimal,
        unit_price: Decimal,
        vat_rate: Decimal,
        unit: str = "unit",
        product_ref: str | None = None,
        discount: Discount | None = None,
        unit_cost: Decimal | None = None,
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "description": description,
            "quantity": quantity,
            "unit_price": unit_price,
            "vat_rate": vat_rate,
            "unit": unit,
            "product_ref": product_ref,
            "discount": discount,
            "unit_cost": unit_cost,
        }

        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            line_id = quote.add_line(at=ctx.at, **fields)
            return Outcome([quote], {"line_id": line_id})

        return self.runner.run(ctx, "quote.add_line", {"quote_id": quote_id, **fields}, build)

    def add_product_line(
        self,
        ctx: CommandContext,
        quote_id: UUID,
        *,
        reference: str,
        quantity: Decimal,
        unit: str | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> CommandResult:
        """Lines from the catalogue at the quote's date for its customer and currency (P4):
        a kit adds its own line and its components'; `overrides` are given by hand."""
        payload: dict[str, Any] = {"quote_id": quote_id, "reference": reference}
        payload |= {"quantity": quantity, "unit": unit, "overrides": overrides}

        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            pricing = Pricing(CatalogueCommands(self.runner))
            on = quote.drafted_at.date()
            priced = pricing.context(on=on, currency=quote.currency, customer_id=quote.customer_id)
            drafts = pricing.lines(priced, reference, quantity, unit, overrides)
            ids = [quote.add_line(at=ctx.at, **draft.fields()) for draft in drafts]
            return Outcome([quote], {"line_id": ids[0], "line_ids": ids})

        return self.runner.run(ctx, "quote.add_product_line", payload, build)

    def change_line(
        self, ctx: CommandContext, quote_id: UUID, line_id: str, changes: dict[str, Any]
    ) -> CommandResult:
        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            quote.change_line(line_id, at=ctx.at, **changes)
            return Outcome([quote], {"line_id": line_id})

        payload = {"quote_id": quote_id, "line_id": line_id, **changes}
        return self.runner.run(ctx, "quote.change_line", payload, build)

    def remove_line(self, ctx: CommandContext, quote_id: UUID, line_id: str) -> CommandResult:
        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            quote.remove_line(line_id, at=ctx.at)
            return Outcome([quote], {"line_id": line_id})

        payload = {"quote_id": quote_id, "line_id": line_id}
        return self.runner.run(ctx, "quote.remove_line", payload, build)

    def set_discounts(
        self, ctx: CommandContext, quote_id: UUID, *, percents: list[Decimal], mode: DiscountMode
    ) -> CommandResult:
        """Replace the document discounts of a draft (Q3)."""
        return self._verb(
            ctx,
            quote_id,
            "set_discounts",
            lambda q: q.set_discounts(at=ctx.at, percents=percents, mode=mode),
            percents=percents,
            mode=mode,
        )

    def set_validity(
        self, ctx: CommandContext, quote_id: UUID, *, valid_until: date | None
    ) -> CommandResult:
        """Change (or clear) the validity date of a draft (Q5)."""
        return self._verb(
            ctx,
            quote_id,
            "set_validity",
            lambda q: q.set_validity(at=ctx.at, valid_until=valid_until),
            valid_until=valid_until,
        )

    # -- approval and the life cycle (Q4, Q5, Q6, Q7) ------------------------------------

    def approve(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        """A manager (the context's actor) approves the current revision; reason required.
        The result says whether the thresholds in force required it, and which."""
        policy = self.policies.approval

        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            reasons = [] if policy is None else quote.approval_reasons(policy)
            quote.approve(at=ctx.at, approver=ctx.actor, reason=ctx.reason or "")
            return Outcome([quote], {"required": bool(reasons), "reasons": reasons})

        return self.runner.run(ctx, "quote.approve", {"quote_id": quote_id}, build)

    def send(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        """Send the draft; past the approval thresholds it must be approved first (Q7)."""
        policy = self.policies.approval
        return self._verb(ctx, quote_id, "send", lambda q: q.send(at=ctx.at, policy=policy))

    def accept(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        return self._verb(ctx, quote_id, "accept", lambda q: q.accept(at=ctx.at))

    def decline(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        return self._verb(
            ctx, quote_id, "decline", lambda q: q.decline(at=ctx.at, reason=ctx.reason)
        )

    def abandon(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        """Give up on a draft or a sent quote; the context's reason is kept."""
        return self._verb(
            ctx, quote_id, "abandon", lambda q: q.abandon(at=ctx.at, reason=ctx.reason)
        )

    def expire(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        """Expire a sent quote past its validity date (the scheduled job's verb, Q5)."""
        return self._verb(ctx, quote_id, "expire", lambda q: q.expire(at=ctx.at))

    def revise(self, ctx: CommandContext, quote_id: UUID) -> CommandResult:
        """Open revision N+1 of a sent or expired quote as a draft; reason required (Q6)."""
        return self._verb(
            ctx, quote_id, "revise", lambda q: q.revise(at=ctx.at, reason=ctx.reason or "")
        )

    def remind(
        self, ctx: CommandContext, quote_id: UUID, *, channel: str, note: str = ""
    ) -> CommandResult:
        """Record a reminder sent about a sent or expired quote (Q11)."""
        return self._verb(
            ctx,
            quote_id,
            "remind",
            lambda q: q.remind(at=ctx.at, channel=channel, note=note),
            channel=channel,
            note=note,
        )

    def attach_to_affair(
        self, ctx: CommandContext, quote_id: UUID, *, affair_id: UUID
    ) -> CommandResult:
        """Follow the quote in an existing affair (404 when the affair is unknown); the
        quote's date (the day it was sent, else drafted) is checked against the affair's
        period: refused under a blocking policy, an alert on the affair otherwise (A6)."""

        def build() -> Outcome:
            # the affair's salesperson (or a manager) decides what it follows
            affair = self.runner.load(Affair, affair_id, replace(ctx, expected_version=None))
            quote = self.runner.load(Quote, quote_id, ctx)
            if quote.affair_id != affair_id:
                day = (quote.sent_at or quote.drafted_at).date()
                affair.check_document_date(ctx.at, day, f"quote {quote.id}")
            quote.attach_to_affair(at=ctx.at, affair_id=affair_id)
            return Outcome([quote, affair], {"affair_id": str(affair_id)})

        payload = {"quote_id": quote_id, "affair_id": affair_id}
        return self.runner.run(ctx, "quote.attach_to_affair", payload, build)

    # -- many quotes at once (Q11) -------------------------------------------------------

    def bulk(
        self,
        ctx: CommandContext,
        action: str,
        quote_ids: list[UUID],
        *,
        channel: str = "",
        note: str = "",
        affair_id: UUID | None = None,
    ) -> list[BulkItem]:
        """Apply `action` to each quote as its own command; see `application.quote_bulk.run_each`.

        Actions: "reminder" (channel, note), "attach_to_affair" (affair_id) and "abandon"
        (the context's reason). Bulk reminders are the "reminder" case.
        """
        if action not in BULK_ACTIONS:
            raise InvalidInput(f"unknown bulk action {action!r}")
        if len(quote_ids) > BULK_LIMIT:
            raise InvalidInput(f"a bulk action takes at most {BULK_LIMIT} quotes")
        one: Callable[[CommandContext, UUID], CommandResult]
        if action == "reminder":

            def one(c: CommandContext, q: UUID) -> CommandResult:
                return self.remind(c, q, channel=channel, note=note)

        elif action == "attach_to_affair":
            if affair_id is None:
                raise InvalidInput("attaching to an affair needs an affair id")
            target = affair_id

            def one(c: CommandContext, q: UUID) -> CommandResult:
                return self.attach_to_affair(c, q, affair_id=target)

        else:
            one = self.abandon
        return run_each(replace(ctx, expected_version=None), quote_ids, one)

    def _verb(
        self,
        ctx: CommandContext,
        quote_id: UUID,
        name: str,
        verb: Callable[[Quote], object],
        **payload: Any,
    ) -> CommandResult:
        def build() -> Outcome:
            quote = self.runner.load(Quote, quote_id, ctx)
            verb(quote)
            return Outcome([quote])

        return self.runner.run(ctx, f"quote.{name}", {"quote_id": quote_id, **payload}, build)
