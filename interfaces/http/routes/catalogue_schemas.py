"""Request and response bodies of the catalogue routes: products, price lists, pricing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from domain.price_list import PriceBreak, PriceList, PriceRule, RuleKind
from domain.pricing import PriceSource
from domain.product import KitComponent, KitPricing, Product, ProductKind, SaleUnit
from domain.quote_lines import FieldChange
from interfaces.http.diffs import Change
from interfaces.http.routes.params import Day
from interfaces.http.schemas import (
    Amount,
    Body,
    InCurrency,
    MoneyOut,
    NumberOut,
    Percent,
    Quantity,
    ShortText,
    Text,
    UnitPrice,
    json_safe,
)

Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
Currency = Annotated[str, Field(min_length=3, max_length=3, examples=["EUR"])]
LIMIT = 500


class SaleUnitIn(BaseModel):
    code: ShortText = Field(examples=["XBX"])
    factor: Quantity = Field(description="Base units in one of this unit", examples=["12"])

    def value(self) -> SaleUnit:
        return SaleUnit(self.code, self.factor)


class CostIn(Body):
    """A unit cost per base unit from a day on."""

    effective: Day
    amount: UnitPrice = Field(examples=["42.50"])
    currency: Currency = "EUR"


class ComponentIn(BaseModel):
    reference: Code
    quantity: Quantity = Field(description="Base units of it in one kit", examples=["2"])

    def value(self) -> KitComponent:
        return KitComponent(self.reference, self.quantity)


class ProductIn(Body):
    """A new product (P1); the reference is its key."""

    reference: Code = Field(examples=["CR-200"])
    name: ShortText = Field(examples=["Cash register CR-200"])
    kind: ProductKind = ProductKind.GOODS
    family: ShortText | None = Field(default=None, examples=["registers"])
    unit: ShortText = Field(default="C62", description="A UN/ECE Rec 20 code or a unit word")
    vat_category: Literal["S", "Z", "E", "AE", "K", "G", "O"] = "S"
    vat_rate: Percent = Decimal(20)
    description: Text | None = None
    sale_units: list[SaleUnitIn] = Field(default=[], max_length=20)
    cost: CostIn | None = None
    components: list[ComponentIn] = Field(default=[], max_length=LIMIT)
    kit_pricing: KitPricing = KitPricing.KIT


class ProductDetailsIn(Body):
    name: ShortText
    family: ShortText | None = None
    description: Text | None = None
    vat_category: Literal["S", "Z", "E", "AE", "K", "G", "O"] = "S"
    vat_rate: Percent


class SaleUnitsIn(Body):
    units: list[SaleUnitIn] = Field(max_length=20)


class ComponentsIn(Body):
    components: list[ComponentIn] = Field(min_length=1, max_length=LIMIT)
    kit_pricing: KitPricing = KitPricing.KIT


class ReasonIn(Body):
    reason: Text = Field(min_length=1, examples=["replaced by CR-300"])


class ProductView(BaseModel):
    id: UUID
    version: int
    reference: str
    name: str
    kind: str
    family: str | None
    unit: str
    sale_units: list[SaleUnitIn]
    vat_category: str
    vat_rate: NumberOut
    description: str | None
    status: str
    costs: list[CostIn]
    components: list[ComponentIn]
    kit_pricing: str

    @classmethod
    def of(cls, product: Product) -> ProductView:
        return cls(
            id=product.id,
            version=product.version,
            reference=product.reference,
            name=product.name,
            kind=str(product.kind),
            family=product.family,
            unit=product.unit,
            sale_units=[SaleUnitIn(code=u.code, factor=u.factor) for u in product.sale_units],
            vat_category=str(product.vat_category),
            vat_rate=product.vat_rate,
            description=product.description,
            status=str(product.status),
            costs=[
                CostIn(effective=c.effective, amount=c.amount, currency=c.currency)
                for c in sorted(product.costs, key=lambda c: c.effective)
            ],
            components=[
                ComponentIn(reference=c.reference, quantity=c.quantity) for c in product.components
            ],
            kit_pricing=str(product.kit_pricing),
        )


class BreakIn(BaseModel):
    min_quantity: Amount = Field(default=Decimal(0), description="From this many base units on")
    value: UnitPrice = Field(description="A price, a coefficient, or a percentage by kind")


class RuleIn(BaseModel):
    """One rule: a product's (by reference) or a family's, with its quantity breaks."""

    product: Code | None = None
    family: ShortText | None = None
    kind: RuleKind
    breaks: list[BreakIn] = Field(min_length=1, max_length=50)

    def value(self) -> PriceRule:
        breaks = tuple(PriceBreak(b.min_quantity, b.value) for b in self.breaks)
        return PriceRule(self.kind, breaks, self.product, self.family)

    @classmethod
    def of(cls, rule: PriceRule) -> RuleIn:
        breaks = [BreakIn(min_quantity=b.min_quantity, value=b.value) for b in rule.breaks]
        return cls(product=rule.product, family=rule.family, kind=rule.kind, breaks=breaks)


class PriceListIn(Body):
    """A new price list (P2) with its first rules (from `valid_from`) and assignment."""

    code: Code = Field(examples=["RESELLERS-2026"])
    name: ShortText = ""
    currency: Currency
    valid_from: Day
    valid_to: Day | None = None
    is_default: bool = False
    rounding: UnitPrice | None = Field(default=None, description="A step, e.g. 0.05")
    rules: list[RuleIn] = Field(default=[], max_length=5000)
    customers: list[UUID] = Field(default=[], max_length=5000)
    groups: list[ShortText] = Field(default=[], max_length=200)


class AmendmentIn(Body):
    """Rules set and removed from a day on, with the reason for the change."""

    reason: Text = Field(min_length=1, examples=["2027 prices"])
    effective: Day
    rules: list[RuleIn] = Field(default=[], max_length=5000)
    removed: list[ShortText] = Field(default=[], max_length=5000, examples=[["product:cr-200"]])


class AssignmentIn(Body):
    customers: list[UUID] = Field(default=[], max_length=5000)
    groups: list[ShortText] = Field(default=[], max_length=200)


class ListValidityIn(Body):
    valid_from: Day
    valid_to: Day | None = None


class GroupIn(Body):
    """The customer's pricing group; null takes them out of any."""

    group: ShortText | None = Field(examples=["resellers"])


class AmendmentView(BaseModel):
    effective: date
    reason: str
    rules: list[RuleIn]
    removed: list[str]


class PriceListView(InCurrency):
    id: UUID
    version: int
    code: str
    name: str
    currency: str
    valid_from: date
    valid_to: date | None
    is_default: bool
    rounding: Decimal | None
    customers: list[UUID]
    groups: list[str]
    rules: list[RuleIn] = Field(description="The rules in force on `on`")
    on: date
    amendments: list[AmendmentView]

    @classmethod
    def of(cls, price_list: PriceList, on: date) -> PriceListView:
        return cls(
            id=price_list.id,
            version=price_list.version,
            code=price_list.code,
            name=price_list.name,
            currency=price_list.currency,
            valid_from=price_list.valid_from,
            valid_to=price_list.valid_to,
            is_default=price_list.is_default,
            rounding=price_list.rounding,
            customers=list(price_list.customers),
            groups=list(price_list.groups),
            rules=[RuleIn.of(rule) for rule in price_list.rules_on(on).values()],
            on=on,
            amendments=[
                AmendmentView(
                    effective=a.effective,
                    reason=a.reason,
                    rules=[RuleIn.of(r) for r in a.rules],
                    removed=list(a.removed),
                )
                for a in price_list.amendments
            ],
        )


class CatalogueDiffView(BaseModel):
    """Fields of a product or price list that differ between two versions."""

    from_: int = Field(serialization_alias="from")
    to: int
    fields: list[dict[str, object]]
    from_version: int = 0
    to_version: int = 0
    changes: list[Change] = Field(
        default_factory=list, description="Every change, in the one diff format of all documents"
    )

    @classmethod
    def of(cls, old: int, new: int, changes: list[FieldChange]) -> CatalogueDiffView:
        fields = [
            {"name": c.name, "before": json_safe(c.before), "after": json_safe(c.after)}
            for c in changes
        ]
        return cls(from_=old, to=new, fields=fields, from_version=old, to_version=new)


class BasketItemIn(BaseModel):
    reference: Code
    quantity: Quantity
    unit: ShortText | None = None


class SimulationIn(Body):
    """A basket to price for a customer, a group or nobody, on a day, writing nothing."""

    currency: Currency
    on: Day | None = Field(default=None, description="Default: today")
    customer_id: UUID | None = None
    group: ShortText | None = Field(default=None, description="Default: the customer's")
    items: list[BasketItemIn] = Field(min_length=1, max_length=LIMIT)


class PriceSourceView(BaseModel):
    price_list_id: UUID
    price_list: str
    level: str
    rule: str
    kind: str
    min_quantity: NumberOut
    value: Decimal
    explanation: str

    @classmethod
    def of(cls, source: PriceSource) -> PriceSourceView:
        return cls(**{**source.__dict__, "kind": str(source.kind)})


class PricedItemView(BaseModel):
    reference: str
    quantity: NumberOut
    unit: str | None
    unit_price: MoneyOut | None = None
    discount_percent: NumberOut | None = None
    net: MoneyOut | None = None
    unit_cost: MoneyOut | None = None
    vat_rate: NumberOut | None = None
    source: PriceSourceView | None = None
    error: dict[str, str] | None = Field(default=None, description="type and detail")


class SimulationView(BaseModel):
    currency: str
    on: date
    customer_id: UUID | None
    group: str | None
    items: list[PricedItemView]
    net: MoneyOut = Field(description="Sum of the priced items' nets")
    simulated_at: datetime
