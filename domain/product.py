"""The Product aggregate (P1): goods, services and kits of the catalogue.

A product is sold in its base unit (a UN/ECE Rec 20 code) or in sale units that hold a
fixed number of base units (a box of 12). Its cost is dated, so a quote made on a day
takes that day's cost for its margin. A kit lists component products by reference and
says whether a quote prices it as the kit or per component.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import bounds
from domain.errors import InvalidInput, InvalidTransition, UnknownSaleUnit
from domain.invoice_lines import VatCategory
from domain.quote_lines import checked_at, checked_decimal, optional_text, required_text
from domain.units import unit_code
from domain.values import HUNDRED, check_currency, check_finite

ZERO_RATED = frozenset(set(VatCategory) - {VatCategory.STANDARD})


class ProductKind(StrEnum):
    GOODS = "goods"
    SERVICE = "service"
    KIT = "kit"


class ProductStatus(StrEnum):
    ACTIVE = "active"
    DISCONTINUED = "discontinued"


class KitPricing(StrEnum):
    """How a quote prices a kit: the kit's own price, or each component's."""

    KIT = "kit"
    COMPONENTS = "components"


@dataclass(frozen=True)
class SaleUnit:
    """A unit the product is also sold in, holding `factor` base units."""

    code: str
    factor: Decimal


@dataclass(frozen=True)
class DatedCost:
    """The unit cost (per base unit) from `effective` on, until a later one."""

    effective: date
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class KitComponent:
    """A product in a kit and how many of its base units one kit holds."""

    reference: str
    quantity: Decimal


def product_id(reference: str) -> UUID:
    """Products are found by their reference (case-insensitive), without an index."""
    return uuid5(NAMESPACE_URL, f"comptoir:product:{reference.strip().casefold()}")


def checked_vat(category: str, rate: Decimal) -> tuple[VatCategory, Decimal]:
    """A VAT category and rate that agree: S above 0, any other category at 0."""
    try:
        category_ = VatCategory(category)
    except ValueError:
        raise InvalidInput(
            f"unknown VAT category {category!r}: use one of {', '.join(VatCategory)}"
        ) from None
    rate = check_finite(checked_decimal(rate, "a VAT rate"), "a VAT rate")
    if rate > HUNDRED:
        raise InvalidInput(f"a VAT rate lies between 0 and 100, got {rate}")
    if (category_ == VatCategory.STANDARD) != (rate > 0):
        raise InvalidInput(f"VAT category {category_} does not go with a rate of {rate}")
    return category_, rate


def checked_sale_units(base: str, units: list[SaleUnit]) -> list[SaleUnit]:
    """Sale units with their Rec 20 codes, each once, none the base unit, factors above 0."""
    checked: list[SaleUnit] = []
    for unit in units:
        code = unit_code(unit.code)
        factor = bounds.quantity(checked_decimal(unit.factor, "a conversion factor"))
        if factor <= 0:
            raise InvalidInput(f"a conversion factor must be above 0, got {factor}")
        if code == base or code in {u.code for u in checked}:
            raise InvalidInput(f"sale unit {code} is given twice or is the base unit")
        checked.append(SaleUnit(code, factor))
    return checked


class Product(Aggregate):
    """A catalogued good, service or kit with its units, VAT, dated costs and status."""

    @staticmethod
    def create_id(reference: str) -> UUID:
        return product_id(reference)

    @event("Registered")
    def __init__(
        self,
        *,
        at: datetime,
        reference: str,
        name: str,
        kind: ProductKind,
        family: str | None,
        unit: str,
        vat_category: VatCategory,
        vat_rate: Decimal,
        description: str | None,
    ) -> None:
        self.registered_at = at
        self.reference, self.name, self.kind = reference, name, ProductKind(kind)
        self.family, self.unit, self.description = family, unit, description
        self.vat_category, self.vat_rate = VatCategory(vat_category), vat_rate
        self.status = ProductStatus.ACTIVE
        self.sale_units: list[SaleUnit] = []
        self.costs: list[DatedCost] = []
        self.components: list[KitComponent] = []
        self.kit_pricing = KitPricing.KIT
        self.discontinue_reason: str | None = None

    @classmethod
    def register(
        cls,
        *,
        at: datetime,
        reference: str,
        name: str,
        kind: ProductKind | str = ProductKind.GOODS,
        family: str | None = None,
        unit: str = "C62",
        vat_category: VatCategory | str = VatCategory.STANDARD,
        vat_rate: Decimal = Decimal(20),
        description: str | None = None,
    ) -> Product:
        """A new product, active, under a reference no other product has."""
        if kind not in tuple(ProductKind):
            raise InvalidInput(f"unknown product kind {kind!r}: use goods, service or kit")
        category, rate = checked_vat(vat_category, vat_rate)
        return cls(
            at=checked_at(at),
            reference=required_text(reference, "a reference"),
            name=required_text(name, "a product's name"),
            kind=ProductKind(kind),
            family=optional_text(family, "a family"),
            unit=unit_code(unit),
            vat_category=category,
            vat_rate=rate,
            description=optional_text(description, "a description"),
        )

    # -- reading ------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.status == ProductStatus.ACTIVE

    def factor(self, unit: str) -> Decimal:
        """How many base units one `unit` holds (1 for the base unit)."""
        code = unit_code(unit)
        if code == self.unit:
            return Decimal(1)
        for sale_unit in self.sale_units:
            if sale_unit.code == code:
                return sale_unit.factor
        known = ", ".join([self.unit, *(u.code for u in self.sale_units)])
        raise UnknownSaleUnit(f"{self.reference} is not sold in {code}; it is sold in {known}")

    def cost_on(self, day: date) -> DatedCost | None:
        """The cost in force on `day`: the latest one effective on or before it."""
        found = None
        for cost in self.costs:
            if cost.effective <= day and (found is None or cost.effective >= found.effective):
                found = cost
        return found

    # -- verbs --------------------------------------------------------------------------

    def change_details(
        self,
        *,
        at: datetime,
        name: str,
        family: str | None,
        description: str | None,
        vat_category: VatCategory | str,
        vat_rate: Decimal,
    ) -> None:
        """New name, family, description or default VAT; nothing recorded when all agree."""
        category, rate = checked_vat(vat_category, vat_rate)
        name_ = required_text(name, "a product's name")
        family_ = optional_text(family, "a family")
        description_ = optional_text(description, "a description")
        new = (name_, family_, description_, category, rate)
        if new != (self.name, self.family, self.description, self.vat_category, self.vat_rate):
            self._change_details(
                at=checked_at(at),
                name=name_,
                family=family_,
                description=description_,
                vat_category=category,
                vat_rate=rate,
            )

    @event("DetailsChanged")
    def _change_details(
        self,
        at: datetime,
        name: str,
        family: str | None,
        description: str | None,
        vat_category: VatCategory,
        vat_rate: Decimal,
    ) -> None:
        self.name, self.family, self.description = name, family, description
        self.vat_category, self.vat_rate = VatCategory(vat_category), vat_rate

    def set_sale_units(self, *, at: datetime, units: list[SaleUnit]) -> None:
        """Replace the units the product is sold in besides its base unit."""
        checked = checked_sale_units(self.unit, units)
        if checked != self.sale_units:
            self._set_sale_units(at=checked_at(at), units=checked)

    @event("SaleUnitsSet")
    def _set_sale_units(self, at: datetime, units: list[SaleUnit]) -> None:
        self.sale_units = list(units)

    def set_cost(self, *, at: datetime, effective: date, amount: Decimal, currency: str) -> None:
        """A unit cost from `effective` on; one already given for that day is replaced."""
        if not isinstance(effective, date) or isinstance(effective, datetime):
            raise InvalidInput(f"a cost's effective date must be a date, got {effective!r}")
        amount = check_finite(checked_decimal(amount, "a cost"), "a cost")
        bounds.unit_price(amount, "cost")
        cost = DatedCost(effective, amount, check_currency(currency))
        if cost not in self.costs:
            self._set_cost(at=checked_at(at), cost=cost)

    @event("CostSet")
    def _set_cost(self, at: datetime, cost: DatedCost) -> None:
        self.costs = [c for c in self.costs if c.effective != cost.effective] + [cost]

    def set_components(
        self, *, at: datetime, components: list[KitComponent], pricing: KitPricing | str
    ) -> None:
        """A kit's components (products known to the caller, none a kit) and its pricing."""
        if self.kind != ProductKind.KIT:
            raise InvalidInput(f"{self.reference} is a {self.kind}, not a kit")
        if pricing not in tuple(KitPricing):
            raise InvalidInput(f"unknown kit pricing {pricing!r}: use kit or components")
        if not components:
            raise InvalidInput("a kit needs at least one component")
        checked: list[KitComponent] = []
        for component in components:
            reference = required_text(component.reference, "a component's reference")
            quantity = bounds.quantity(checked_decimal(component.quantity, "a quantity"))
            if quantity <= 0:
                raise InvalidInput(f"a component's quantity must be above 0, got {quantity}")
            if product_id(reference) in {self.id, *(product_id(c.reference) for c in checked)}:
                raise InvalidInput(f"component {reference} is the kit itself or given twice")
            checked.append(KitComponent(reference, quantity))
        if checked != self.components or pricing != self.kit_pricing:
            self._set_components(at=checked_at(at), components=checked, pricing=KitPricing(pricing))

    @event("ComponentsSet")
    def _set_components(
        self, at: datetime, components: list[KitComponent], pricing: KitPricing
    ) -> None:
        self.components = list(components)
        self.kit_pricing = KitPricing(pricing)

    def discontinue(self, *, at: datetime, reason: str) -> None:
        """No new quote line may take it; lines that have it keep it."""
        if not self.active:
            raise InvalidTransition("product", self.status, "discontinued")
        self._discontinue(at=checked_at(at), reason=required_text(reason, "a reason"))

    @event("Discontinued")
    def _discontinue(self, at: datetime, reason: str) -> None:
        self.status = ProductStatus.DISCONTINUED
        self.discontinue_reason = reason

    def reactivate(self, *, at: datetime) -> None:
        """A discontinued product is sold again."""
        if self.active:
            raise InvalidTransition("product", self.status, "reactivated")
        self._reactivate(at=checked_at(at))

    @event("Reactivated")
    def _reactivate(self, at: datetime) -> None:
        self.status = ProductStatus.ACTIVE
        self.discontinue_reason = None
