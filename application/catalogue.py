"""Catalogue commands (P1, P2): products, price lists, customers' pricing groups, and the
reads of their past. One method per verb; the rules are the aggregates'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.commands import CommandResult, CommandRunner, Outcome
from application.journal import CommandContext
from domain.catalogue import CATALOGUE_ID, Catalogue
from domain.errors import DuplicatePriceList, DuplicateProduct, InvalidInput, NotFound
from domain.price_list import PriceList, PriceRule, price_list_id
from domain.product import KitComponent, KitPricing, Product, ProductKind, SaleUnit, product_id
from domain.quote_lines import FieldChange

A = TypeVar("A", bound=Aggregate)

_ENVELOPE = {"_id", "_version", "_created_on", "_modified_on", "_pending_events"}


def field_changes(before: Aggregate, after: Aggregate) -> list[FieldChange]:
    """Every attribute of a document that differs between two of its versions."""
    names = sorted((set(vars(before)) | set(vars(after))) - _ENVELOPE)
    return [
        FieldChange(name, getattr(before, name, None), getattr(after, name, None))
        for name in names
        if getattr(before, name, None) != getattr(after, name, None)
    ]


class CatalogueCommands:
    """Use cases of products, price lists and the catalogue's register."""

    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    # -- reads -------------------------------------------------------------------------

    def get(self, cls: type[A], aggregate_id: UUID, version: int | None = None) -> A:
        """A product or a price list now, or at `version`."""
        document = self.runner.load(cls, aggregate_id)
        if version is None or version == document.version:
            return document
        return self.runner.load_version(cls, aggregate_id, version)

    def product(self, reference_or_id: str | UUID) -> Product:
        """A product by its id or its reference."""
        if isinstance(reference_or_id, UUID):
            return self.runner.load(Product, reference_or_id)
        try:
            found = UUID(reference_or_id)
        except ValueError:
            found = product_id(reference_or_id)
        return self.runner.load(Product, found)

    def diff(self, cls: type[A], aggregate_id: UUID, old: int, new: int) -> list[FieldChange]:
        """What changed in a product or price list from version `old` to `new`."""
        return field_changes(self.get(cls, aggregate_id, old), self.get(cls, aggregate_id, new))

    def register(self) -> Catalogue | None:
        """The catalogue's register, None before its first list or group."""
        try:
            return self.runner.load(Catalogue, CATALOGUE_ID)
        except NotFound:
            return None

    def price_lists(self) -> list[PriceList]:
        """Every price list the register knows."""
        register = self.register()
        ids = [] if register is None else register.price_lists
        return [self.runner.load(PriceList, list_id) for list_id in ids]

    def open_register(self, at: datetime) -> Catalogue:
        return self.register() or Catalogue.open(at=at)

    # -- products (P1) -----------------------------------------------------------------

    def register_product(
        self,
        ctx: CommandContext,
        *,
        reference: str,
        name: str,
        kind: ProductKind | str = ProductKind.GOODS,
        family: str | None = None,
        unit: str = "C62",
        vat_category: str = "S",
        vat_rate: Decimal = Decimal(20),
        description: str | None = None,
        sale_units: list[SaleUnit] | None = None,
        cost: tuple[date, Decimal, str] | None = None,
        components: list[KitComponent] | None = None,
        kit_pricing: KitPricing | str = KitPricing.KIT,
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "reference": reference,
            "name": name,
            "kind": kind,
            "family": family,
            "unit": unit,
            "vat_category": vat_category,
            "vat_rate": vat_rate,
            "description": description,
        }
        payload = {**fields, "sale_units": sale_units, "cost": cost, "components": components}

        def build() -> Outcome:
            product = self.new_product(ctx, fields, sale_units, cost, components, kit_pricing)
            return Outcome([product], {"reference": product.reference})

        return self.runner.run(ctx, "product.register", payload, build)

    def new_product(
        self,
        ctx: CommandContext,
        fields: dict[str, Any],
        sale_units: list[SaleUnit] | None,
        cost: tuple[date, Decimal, str] | None,
        components: list[KitComponent] | None,
        kit_pricing: KitPricing | str = KitPricing.KIT,
        known: Callable[[str], bool] | None = None,
    ) -> Product:
        """A registered product with its units, cost and components (none yet recorded)."""
        reference = str(fields.get("reference") or "")
        if self._exists(Product, product_id(reference)):
            raise DuplicateProduct(f"a product with reference {reference!r} exists")
        product = Product.register(at=ctx.at, **fields)
        if sale_units:
            product.set_sale_units(at=ctx.at, units=sale_units)
        if cost is not None:
            product.set_cost(at=ctx.at, effective=cost[0], amount=cost[1], currency=cost[2])
        if components:
            self.check_components(components, known)
            product.set_components(at=ctx.at, components=components, pricing=kit_pricing)
        return product

    def check_components(
        self, components: list[KitComponent], known: Callable[[str], bool] | None = None
    ) -> None:
        """Every component is a catalogued product, none of them a kit."""
        for component in components:
            if known is not None and known(component.reference):
                continue
            part = self.product(component.reference)
            if part.kind == ProductKind.KIT:
                raise InvalidInput(f"component {part.reference} is a kit: kits do not nest")

    def change_product(
        self, ctx: CommandContext, product_id_: UUID, verb: str, **args: Any
    ) -> CommandResult:
        """Apply one of the product's verbs: change_details, set_sale_units, set_cost,
        set_components, discontinue, reactivate."""
        if verb not in PRODUCT_VERBS:
            raise InvalidInput(f"a product has no verb {verb!r}")
        if verb == "set_components":
            self.check_components(args["components"])
        if verb == "discontinue":
            args = {"reason": ctx.reason or "", **args}

        def build() -> Outcome:
            product = self.runner.load(Product, product_id_, ctx)
            getattr(product, verb)(at=ctx.at, **args)
            return Outcome([product])

        payload = {"product_id": product_id_, **args}
        return self.runner.run(ctx, f"product.{verb}", payload, build)

    # -- price lists (P2) --------------------------------------------------------------

    def create_price_list(
        self,
        ctx: CommandContext,
        *,
        code: str,
        name: str,
        currency: str,
        valid_from: date,
        valid_to: date | None = None,
        is_default: bool = False,
        rounding: Decimal | None = None,
        rules: list[PriceRule] | None = None,
        customers: list[UUID] | None = None,
        groups: list[str] | None = None,
    ) -> CommandResult:
        fields: dict[str, Any] = {
            "code": code,
            "name": name,
            "currency": currency,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "is_default": is_default,
            "rounding": rounding,
        }
        payload = {**fields, "rules": rules, "customers": customers, "groups": groups}

        def build() -> Outcome:
            register = self.open_register(ctx.at)
            price_list = self.new_price_list(ctx, register, fields, rules, customers, groups)
            return Outcome([price_list, register], {"code": price_list.code})

        return self.runner.run(ctx, "price_list.create", payload, build)

    def new_price_list(
        self,
        ctx: CommandContext,
        register: Catalogue,
        fields: dict[str, Any],
        rules: list[PriceRule] | None,
        customers: list[UUID] | None,
        groups: list[str] | None,
    ) -> PriceList:
        """A created list with its first rules and assignment, listed in the register."""
        code = str(fields.get("code") or "")
        if self._exists(PriceList, price_list_id(code)):
            raise DuplicatePriceList(f"a price list with code {code!r} exists")
        price_list = PriceList.create(at=ctx.at, **fields)
        if rules:
            reason = ctx.reason or "first rules"
            effective = price_list.valid_from
            price_list.amend(at=ctx.at, effective=effective, reason=reason, rules=rules)
        if customers or groups:
            price_list.assign(at=ctx.at, customers=customers or [], groups=groups or [])
        register.list_price_list(at=ctx.at, price_list_id=price_list.id)
        return price_list

    def change_price_list(
        self, ctx: CommandContext, list_id: UUID, verb: str, **args: Any
    ) -> CommandResult:
        """Apply one of the list's verbs: amend (with the context's reason), assign,
        set_validity."""
        if verb not in PRICE_LIST_VERBS:
            raise InvalidInput(f"a price list has no verb {verb!r}")
        if verb == "amend":
            args = {"reason": ctx.reason or "", **args}

        def build() -> Outcome:
            price_list = self.runner.load(PriceList, list_id, ctx)
            getattr(price_list, verb)(at=ctx.at, **args)
            return Outcome([price_list])

        payload = {"price_list_id": list_id, **args}
        return self.runner.run(ctx, f"price_list.{verb}", payload, build)

    def set_group(self, ctx: CommandContext, customer_id: UUID, group: str | None) -> CommandResult:
        """Put a known customer in a pricing group, or in none."""

        def build() -> Outcome:
            from domain.customer import Customer

            self.runner.load(Customer, customer_id)
            register = self.open_register(ctx.at)
            register.set_group(at=ctx.at, customer_id=customer_id, group=group)
            return Outcome([register], {"customer_id": str(customer_id)})

        payload = {"customer_id": customer_id, "group": group}
        return self.runner.run(ctx, "catalogue.set_group", payload, build)

    def _exists(self, cls: type[Aggregate], aggregate_id: UUID) -> bool:
        try:
            self.runner.load(cls, aggregate_id)
        except NotFound:
            return False
        return True


PRODUCT_VERBS = frozenset(
    {"change_details", "set_sale_units", "set_cost", "set_components", "discontinue", "reactivate"}
)
PRICE_LIST_VERBS = frozenset({"amend", "assign", "set_validity"})
