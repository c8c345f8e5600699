"""Invoice lines per EN 16931 and the totals per VAT category and rate.

A line names its VAT category (UNTDID 5305 as EN 16931 uses it): S standard rate,
Z zero rated, E exempt, AE reverse charge, K intra-EU supply, G export outside the EU,
O outside the scope of VAT. E, AE, K, G and O lines carry an exemption reason and a
rate of 0; S lines a rate above 0 and no reason; Z lines a rate of 0.

Totals follow `domain.values` (rules 1–5) with lines grouped by (category, rate) instead
of rate alone: each group's base and VAT is `compute_totals` of its lines with the
document discounts, so the VAT breakdown adds up to the net shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from domain import bounds
from domain.errors import (
    BuyerVatNumberRequired,
    ExemptionReasonConflict,
    InvalidInput,
    OutOfScopeVatMixed,
    UnknownVatCategory,
    VatCategoryMismatch,
)
from domain.invoice_terms import Buyer
from domain.invoicing import Amounts, rate_key
from domain.quote_lines import QuoteLine, checked_line, optional_text
from domain.units import unit_code
from domain.values import (
    ZERO,
    Discount,
    DiscountMode,
    PricedLine,
    compute_totals,
    in_money_context,
    line_net,
)


class VatCategory(StrEnum):
    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU = "K"
    EXPORT = "G"
    OUT_OF_SCOPE = "O"


# Categories whose lines must say why no VAT is charged (EN 16931 BR-E/AE/IC/G/O-10).
NEEDS_REASON = frozenset(
    {
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_EU,
        VatCategory.EXPORT,
        VatCategory.OUT_OF_SCOPE,
    }
)
# Categories that need the buyer's VAT number (BR-AE-02, BR-IC-02).
NEEDS_BUYER_VAT = frozenset({VatCategory.REVERSE_CHARGE, VatCategory.INTRA_EU})

# What a line's fields are called where `InvoiceLine` differs from `QuoteLine`.
EDITABLE_FIELDS = frozenset(
    {
        "description",
        "quantity",
        "unit",
        "unit_price",
        "discount",
        "vat_category",
        "vat_rate",
        "exemption_reason",
    }
)


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice or a credit note (EN 16931 BG-25)."""

    line_id: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_category: VatCategory
    vat_rate: Decimal
    exemption_reason: str | None = None
    discount: Discount | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "vat_category", VatCategory(self.vat_category))
        except ValueError:
            raise UnknownVatCategory(
                f"unknown VAT category {self.vat_category!r}: use one of "
                f"{', '.join(c.value for c in VatCategory)}"
            ) from None

    def priced(self) -> PricedLine:
        """What the money rules need of this line."""
        return PricedLine(self.quantity, self.unit_price, self.vat_rate, self.discount)

    def net(self, currency: str) -> Decimal:
        """Rule 1: quantity × unit price less the line discount, rounded."""
        return line_net(self.priced(), currency)

    @property
    def group(self) -> str:
        """The key of the line's VAT breakdown: its category and rate, `S:20`."""
        return group_key(self.vat_category, self.vat_rate)


def group_key(category: VatCategory | str, rate: Decimal) -> str:
    """`S:20`, `E:0`: a VAT breakdown's key, as state and events keep it."""
    return f"{VatCategory(category).value}:{rate_key(rate)}"


def group_of(key: str) -> tuple[VatCategory, Decimal]:
    """The category and rate of a breakdown key."""
    category, rate = key.split(":")
    return VatCategory(category), Decimal(rate)


def checked_invoice_line(line: InvoiceLine) -> InvoiceLine:
    """The line with trimmed text and a Rec 20 unit code, if it follows every line rule.

    Quantity, price, rate and discount follow the quote lines' rules (one place for them).
    """
    checked = checked_line(
        QuoteLine(
            line.line_id,
            line.description,
            line.quantity,
            line.unit_price,
            line.vat_rate,
            line.unit,
            discount=line.discount,
        )
    )
    category = VatCategory(line.vat_category)
    reason = optional_text(line.exemption_reason, "an exemption reason")
    rate = checked.vat_rate
    if category == VatCategory.STANDARD and rate == 0:
        raise VatCategoryMismatch("a standard-rated (S) line needs a VAT rate above 0")
    if category != VatCategory.STANDARD and rate != 0:
        raise VatCategoryMismatch(f"a line of VAT category {category} has a VAT rate of 0")
    if category in NEEDS_REASON and reason is None:
        raise VatCategoryMismatch(f"a line of VAT category {category} needs an exemption reason")
    if category not in NEEDS_REASON and reason is not None:
        raise VatCategoryMismatch(f"a line of VAT category {category} takes no exemption reason")
    return replace(
        line,
        description=checked.description,
        quantity=checked.quantity,
        unit=unit_code(checked.unit),
        unit_price=checked.unit_price,
        vat_category=category,
        vat_rate=rate,
        exemption_reason=reason,
        discount=checked.discount,
    )


def check_breakdown(lines: Iterable[InvoiceLine]) -> dict[VatCategory, str | None]:
    """One exemption reason per category; O never mixed with another category."""
    reasons: dict[VatCategory, str | None] = {}
    for line in lines:
        known = reasons.setdefault(line.vat_category, line.exemption_reason)
        if known != line.exemption_reason:
            raise ExemptionReasonConflict(
                f"lines of VAT category {line.vat_category} give two exemption reasons "
                f"({known!r} and {line.exemption_reason!r}); an invoice states one per category"
            )
    if VatCategory.OUT_OF_SCOPE in reasons and len(reasons) > 1:
        raise OutOfScopeVatMixed(
            "lines outside the scope of VAT (O) cannot share an invoice with other categories"
        )
    return reasons


def check_buyer(lines: Iterable[InvoiceLine], buyer: Buyer) -> Buyer:
    """Reverse charge (AE) and intra-EU supplies (K) name the buyer's VAT number."""
    if not isinstance(buyer, Buyer):
        raise InvalidInput(f"the buyer expected, got {buyer!r}")
    categories = check_breakdown(lines)
    if not buyer.vat_number and NEEDS_BUYER_VAT & set(categories):
        raise BuyerVatNumberRequired(
            "reverse charge (AE) and intra-EU supplies (K) need the buyer's VAT number"
        )
    return buyer


@dataclass(frozen=True)
class InvoiceTotals:
    """An invoice's totals: lines' net, document discount, bases and VAT per breakdown."""

    currency: str
    lines_net: Decimal
    amounts: Amounts

    @property
    def net(self) -> Decimal:
        return self.amounts.net

    @property
    def document_discount(self) -> Decimal:
        return self.lines_net - self.amounts.net

    @property
    def vat(self) -> Decimal:
        return self.amounts.vat

    @property
    def gross(self) -> Decimal:
        return self.amounts.gross


@in_money_context
def invoice_totals(
    lines: Iterable[InvoiceLine],
    currency: str,
    discounts: Iterable[Decimal] = (),
    mode: DiscountMode = DiscountMode.CASCADING,
) -> InvoiceTotals:
    """Rules 1–5 of `domain.values`, by (category, rate) group."""
    groups: dict[str, list[PricedLine]] = {}
    for line in lines:
        groups.setdefault(line.group, []).append(line.priced())
    discounts = list(discounts)
    bases: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    lines_net = ZERO
    for key in sorted(groups):
        totals = compute_totals(groups[key], currency, discounts, mode)
        bases[key], vats[key] = totals.net, totals.vat
        lines_net += totals.lines_net
    return InvoiceTotals(currency, lines_net, Amounts(bases, vats))


def bounded_totals(
    lines: Mapping[str, InvoiceLine], currency: str, discounts: list[Decimal], mode: DiscountMode
) -> InvoiceTotals:
    """The totals the lines would have, refused with `AmountOutOfBounds` past the bounds."""
    totals = invoice_totals(lines.values(), currency, discounts, mode)
    for what, value in (
        ("lines net", totals.lines_net),
        ("net total", totals.net),
        ("VAT total", totals.vat),
        ("total incl. tax", totals.gross),
    ):
        bounds.total(value, f"the invoice's {what}")
    return totals


def edited_line(
    lines: Mapping[str, InvoiceLine],
    line: InvoiceLine,
    currency: str,
    discounts: list[Decimal],
    mode: DiscountMode,
) -> InvoiceLine:
    """`line` checked, as a draft's lines would hold it with the others: one breakdown
    rule for the whole document, totals within bounds."""
    line = checked_invoice_line(line)
    edited = {**lines, line.line_id: line}
    check_breakdown(edited.values())
    bounded_totals(edited, currency, discounts, mode)
    return line


def changed_fields(line: InvoiceLine, changes: Mapping[str, object]) -> InvoiceLine:
    """`line` with `changes`, which name editable fields only."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"a line has no editable field {', '.join(unknown)}")
    return InvoiceLine(**{**vars(line), **changes})
