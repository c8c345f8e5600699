"""What each command reports in its answer's `result`, typed: one model per family.

Booleans are booleans, counts and version numbers integers, lists lists, ids strings
(UUIDs in their usual form), amounts exact strings at the currency's minor unit
(`application.numbers`). Each command route declares its model, so the OpenAPI document
says what `result` holds (`CommandAnswer[BillResult]`).

A replay answers from the journal row the first request wrote. Rows written before
results were typed hold every value as a string (`"true"`, `"0"`, `"L1,L2"`): the same
models read them (`"true"` → true, `"0"` → 0, a comma-joined text → a list), so an old
row replays in today's shape. Its amounts are answered as they were stored.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

MONEY_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
Money = Annotated[
    str,
    Field(
        pattern=MONEY_PATTERN,
        description='An exact amount, at least at its currency\'s minor unit ("0.00")',
    ),
]


def _split(value: object) -> object:
    """A list stored as comma-joined text by rows written before results were typed."""
    if isinstance(value, str):
        return [part for part in value.split(",") if part]
    return value


Ids = Annotated[list[str], BeforeValidator(_split)]


class ResultModel(BaseModel):
    """A command's result: what the model names, nothing else."""

    model_config = ConfigDict(extra="forbid")


class NoResult(ResultModel):
    """A command that reports nothing beyond the document's version and the position."""


class LineResult(ResultModel):
    """A line added, changed or removed: its id."""

    line_id: str


class ProductLinesResult(ResultModel):
    """Lines added from a catalogue product (a kit gives one line per component)."""

    line_id: str = Field(description="The first line added")
    line_ids: Ids


class ApprovalResult(ResultModel):
    """An approval, and whether the thresholds in force required it."""

    required: bool | None = Field(
        default=None,
        description="Whether the approval thresholds in force required an approval of this "
        "revision (false: it was recorded, but sending did not need it); null on answers "
        "recorded before this was reported",
    )
    reasons: list[str] = Field(default=[], description="The thresholds the quote is past")


class AffairLinked(ResultModel):
    """The affair a document now follows."""

    affair_id: UUID


class QuoteCopied(ResultModel):
    """A new draft copied from a quote's revision."""

    source_id: UUID
    source_revision: int


class OrderConverted(ResultModel):
    """The order a signed quote became."""

    order_id: UUID
    quote_id: UUID


class DeliveryResult(ResultModel):
    delivery_id: str


class ReturnResult(ResultModel):
    return_id: str


class AmendmentResult(ResultModel):
    """The number of the amendment recorded."""

    amendment: int


class InvoiceIssued(ResultModel):
    """The invoice a command issued."""

    invoice_id: UUID
    invoice_number: str


class CreditNoteNumbered(ResultModel):
    """The number of a credit note kept inside an order."""

    credit_note_number: str


class IssuedNumber(ResultModel):
    """The number an invoice was issued under."""

    number: str


class CreditNoteIssued(ResultModel):
    """A credit note issued against an invoice: its number, and the invoice credited."""

    number: str
    invoice_id: UUID


class BillResult(ResultModel):
    """A contract period billed, or found billed (`already_billed`), with its invoice."""

    period_index: int
    period_start: str
    period_end: str
    net: Money
    vat: Money
    gross: Money
    already_billed: bool
    invoice_ref: str | None = None
    invoice_id: UUID | None = None
    invoice_number: str | None = None


class CoverageResult(ResultModel):
    """An asset covered (or uncovered) by a contract, both documents' versions."""

    contract_id: UUID
    contract_version: int
    asset_id: UUID
    asset_version: int


class ConfigurationResult(ResultModel):
    """A configuration change: its revision, or nothing recorded when nothing changed."""

    changed: bool = True
    revision: int | None = None


class ServiceCaseOpened(ResultModel):
    """A service case and the warranty it is under, if any."""

    case_id: UUID
    under_warranty: bool
    warranty_kind: str | None = None


class ServiceWork(ResultModel):
    """Labour or a part recorded on a case, and whether it is billed."""

    case_id: UUID
    billable: bool


class ServiceCaseInvoiced(ResultModel):
    case_id: UUID
    invoice_id: UUID
    invoice_number: str


class BaselineResult(ResultModel):
    """The number of the budget baseline frozen."""

    baseline: int


class AlertsRaised(ResultModel):
    """The alerts an entry raised (none: an empty list)."""

    alert_ids: Ids = []


class ActionRecorded(ResultModel):
    action_id: UUID


class AffairInvoiced(ResultModel):
    """An invoice of an affair's entries."""

    invoice_id: UUID
    invoice_number: str
    entry_ids: Ids
    net: Money


class AddressResult(ResultModel):
    address_id: str


class PaymentResult(ResultModel):
    """The amount settled on each invoice (by number), and a voucher's balance left."""

    allocations: dict[str, Money] = {}
    voucher_balance: Money | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat(cls, data: Any) -> Any:
        """Rows written before results were typed map invoice numbers at the top level."""
        if isinstance(data, dict) and "allocations" not in data:
            rest = {k: v for k, v in data.items() if k != "voucher_balance"}
            kept = {k: v for k, v in data.items() if k == "voucher_balance"}
            return {**kept, "allocations": rest}
        return data


class VoucherIssued(ResultModel):
    code: str
    balance: Money


class VoucherCancelled(ResultModel):
    forfeited: Money


class CompanyAmended(ResultModel):
    """The settings an amendment changed (none when it is the first)."""

    changed: Ids = []


class LogoChanged(ResultModel):
    sha256: str


class ProductRegistered(ResultModel):
    reference: str


class PriceListCreated(ResultModel):
    code: str


class GroupSet(ResultModel):
    customer_id: UUID


class OrderCredited(ResultModel):
    """A credit note against an order's invoice: a credit-note document (`number`, and
    the `invoice_id` credited), or for an invoice kept inside the order (recorded before
    invoices became documents) its `credit_note_number`."""

    number: str | None = None
    invoice_id: UUID | None = None
    credit_note_number: str | None = None


class AffairBulkItem(ResultModel):
    """One affair of a bulk action: the action recorded on it (none for a reassignment)."""

    action_id: UUID | None = None


class CatalogueImported(ResultModel):
    """How many products and price lists one import recorded."""

    products: int
    price_lists: int
