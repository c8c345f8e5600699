"""Importing a catalogue file (P5): every row checked, all or nothing, one command.

New products are registered, known ones updated (details, sale units, a dated cost,
components); new price lists are created with their rules from their first day, known
ones amended from the import's effective date with the command's reason. The whole file
is one command in the journal (`catalogue.import`), its events those of every product
and list it touched and one `Catalogue.FileImported`; any error, in any row, records
nothing and is reported with its sheet, row and column.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.bulk import catalogue_file as cells
from adapters.bulk.catalogue_file import CatalogueFile, Problems, Row
from application.catalogue import CatalogueCommands
from application.commands import CommandResult, Outcome
from application.journal import CommandContext
from domain.catalogue import Catalogue, ImportSummary
from domain.errors import DomainError, ImportRejected, NotFound
from domain.price_list import PriceBreak, PriceList, PriceRule, RuleKind, price_list_id
from domain.product import KitComponent, Product, ProductKind, SaleUnit, product_id

LIST_COLUMNS = ("list_name", "currency", "valid_from", "valid_to", "default", "rounding")


def _guard(problems: Problems, row: Row, column: str, step: Callable[[], Any]) -> Any:
    """Run one step of a row; a domain refusal becomes the row's error at `column`."""
    try:
        return step()
    except DomainError as error:
        problems.add(row, column, str(error))
        return None


class CatalogueImport:
    """Applies a read catalogue file through the catalogue's commands, as one command."""

    def __init__(self, catalogue: CatalogueCommands) -> None:
        self.catalogue = catalogue

    def run(
        self, ctx: CommandContext, file: CatalogueFile, problems: Problems, effective: date
    ) -> CommandResult:
        payload = {"sha256": file.sha256, "effective": effective}

        def build() -> Outcome:
            found = Problems(list(problems.items))
            register = self.catalogue.open_register(ctx.at)
            products = self._products(ctx, file.sheets.get("products", []), found)
            lists = self._lists(ctx, register, file.sheets.get("prices", []), effective, found)
            if found.items:
                raise ImportRejected(found.items)
            summary = ImportSummary(file.sha256, len(products), len(lists))
            register.record_import(at=ctx.at, summary=summary)
            result = {"products": len(products), "price_lists": len(lists)}
            return Outcome([register, *products, *lists], result)

        return self.runner_run(ctx, payload, build)

    def runner_run(
        self, ctx: CommandContext, payload: dict[str, Any], build: Callable[[], Outcome]
    ) -> CommandResult:
        return self.catalogue.runner.run(ctx, "catalogue.import", payload, build)

    # -- products ----------------------------------------------------------------------

    def _products(self, ctx: CommandContext, rows: list[Row], problems: Problems) -> list[Product]:
        kinds = {cells.text(r, "reference") or "": cells.text(r, "kind") or "goods" for r in rows}
        in_file = {product_id(ref): kind for ref, kind in kinds.items()}

        def known(reference: str) -> bool:
            kind = in_file.get(product_id(reference))
            if kind == str(ProductKind.KIT):
                raise DomainError(f"component {reference} is a kit: kits do not nest")
            return kind is not None

        done: dict[Any, Product] = {}
        for row in rows:
            reference = cells.text(row, "reference") or ""
            if product_id(reference) in done:
                problems.add(row, "reference", f"{reference} is given twice in the file")
                continue
            product = self._product(ctx, row, problems, known)
            if product is not None:
                done[product.id] = product
        return list(done.values())

    def _product(
        self, ctx: CommandContext, row: Row, problems: Problems, known: Callable[[str], bool]
    ) -> Product | None:
        fields: dict[str, Any] = {
            "reference": cells.text(row, "reference") or "",
            "name": cells.text(row, "name") or "",
            "kind": cells.text(row, "kind") or "goods",
            "family": cells.text(row, "family"),
            "unit": cells.text(row, "unit") or "C62",
            "vat_category": cells.text(row, "vat_category") or "S",
            "vat_rate": cells.decimal(row, "vat_rate", problems),
            "description": cells.text(row, "description"),
        }
        if fields["vat_rate"] is None:
            fields["vat_rate"] = Decimal(0 if fields["vat_category"] != "S" else 20)
        units = [SaleUnit(c, f) for c, f in cells.pairs(row, "sale_units", "=", problems)]
        amount = cells.decimal(row, "cost", problems)
        since = cells.day(row, "cost_from", problems) or ctx.at.date()
        cost = (
            None if amount is None else (since, amount, cells.text(row, "cost_currency") or "EUR")
        )
        parts = [KitComponent(r, q) for r, q in cells.pairs(row, "components", "*", problems)]
        pricing = cells.text(row, "kit_pricing") or "kit"
        try:
            existing = self.catalogue.product(str(fields["reference"]))
        except NotFound:
            existing = None
        except DomainError as error:
            problems.add(row, "reference", str(error))
            return None
        if existing is None:
            return _guard(  # type: ignore[no-any-return]
                problems,
                row,
                "reference",
                lambda: self.catalogue.new_product(ctx, fields, units, cost, parts, pricing, known),
            )
        details = {k: v for k, v in fields.items() if k not in {"reference", "kind", "unit"}}
        _guard(problems, row, "name", lambda: existing.change_details(at=ctx.at, **details))
        _guard(problems, row, "sale_units", lambda: existing.set_sale_units(at=ctx.at, units=units))
        if cost is not None:
            c = cost
            step = lambda: existing.set_cost(  # noqa: E731
                at=ctx.at, effective=c[0], amount=c[1], currency=c[2]
            )
            _guard(problems, row, "cost", step)
        if parts:
            _guard(
                problems,
                row,
                "components",
                lambda: self._components(ctx, existing, parts, pricing, known),
            )
        return existing

    def _components(
        self,
        ctx: CommandContext,
        product: Product,
        parts: list[KitComponent],
        pricing: str,
        known: Callable[[str], bool],
    ) -> None:
        self.catalogue.check_components(parts, known)
        product.set_components(at=ctx.at, components=parts, pricing=pricing)

    # -- price lists -------------------------------------------------------------------

    def _lists(
        self,
        ctx: CommandContext,
        register: Catalogue,
        rows: list[Row],
        effective: date,
        problems: Problems,
    ) -> list[PriceList]:
        by_list: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            by_list[(cells.text(row, "list") or "").casefold()].append(row)
        lists = []
        for list_rows in by_list.values():
            price_list = self._list(ctx, register, list_rows, effective, problems)
            if price_list is not None:
                lists.append(price_list)
        return lists

    def _list(
        self,
        ctx: CommandContext,
        register: Catalogue,
        rows: list[Row],
        effective: date,
        problems: Problems,
    ) -> PriceList | None:
        first = rows[0]
        for row in rows[1:]:
            for column in LIST_COLUMNS:
                value = cells.text(row, column)
                if value is not None and value != cells.text(first, column):
                    problems.add(row, column, f"differs from row {first.number} of the same list")
        rules = self._rules(rows, problems)
        code = cells.text(first, "list") or ""
        customers = cells.uuids(first, "customers", problems)
        groups = cells.items(first, "groups")
        fields: dict[str, Any] = {
            "code": code,
            "name": cells.text(first, "list_name") or code,
            "currency": cells.text(first, "currency") or "",
            "valid_from": cells.day(first, "valid_from", problems) or effective,
            "valid_to": cells.day(first, "valid_to", problems),
            "is_default": cells.flag(first, "default", problems),
            "rounding": cells.decimal(first, "rounding", problems),
        }
        try:
            existing = self.catalogue.runner.load(PriceList, price_list_id(code))
        except NotFound:
            existing = None
        if existing is None:
            step = lambda: self.catalogue.new_price_list(  # noqa: E731
                ctx, register, fields, rules, customers, groups
            )
            return _guard(problems, first, "list", step)  # type: ignore[no-any-return]
        reason = ctx.reason or "catalogue import"
        amend = lambda: existing.amend(  # noqa: E731
            at=ctx.at, effective=effective, reason=reason, rules=rules
        )
        _guard(problems, first, "value", amend)
        if customers or groups:
            assign = lambda: existing.assign(at=ctx.at, customers=customers, groups=groups)  # noqa: E731
            _guard(problems, first, "groups", assign)
        return existing

    def _rules(self, rows: list[Row], problems: Problems) -> list[PriceRule]:
        breaks: dict[tuple[str | None, str | None], list[PriceBreak]] = defaultdict(list)
        kinds: dict[tuple[str | None, str | None], str] = {}
        for row in rows:
            target = (cells.text(row, "product"), cells.text(row, "family"))
            kind = cells.text(row, "kind") or ""
            if kind not in tuple(RuleKind):
                problems.add(row, "kind", f"{kind!r} is not one of {', '.join(RuleKind)}")
                continue
            if kinds.setdefault(target, kind) != kind:
                problems.add(row, "kind", f"the same target has a {kinds[target]} rule above")
                continue
            value = cells.decimal(row, "value", problems)
            minimum = cells.decimal(row, "min_quantity", problems) or Decimal(0)
            if value is not None:
                breaks[target].append(PriceBreak(minimum, value))
        return [
            PriceRule(RuleKind(kinds[target]), tuple(found), target[0], target[1])
            for target, found in breaks.items()
        ]
