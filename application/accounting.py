"""The accounting hand-over (I7): issued invoices and credit notes of a date range as
balanced journal entries, and the sales journal.

The documents are found through their numbers, not by scanning the log: numbers are
gapless per year and series, so for each year of the range the series' sequence gives
the last number, and each number's `InvoiceNumber` register names its document and date.
Orders' invoices (O5) take numbers of the same series but register none: they are kept
inside their order and listed as not in this export, with the dates they lie between.

An entry debits the customer (411, with the customer as auxiliary account), credits
revenue (706 services, 707 goods) per VAT breakdown and VAT collected per rate; a credit
note is the same entry reversed. Amounts are signed (debit positive) and every entry
sums to zero, checked here before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from application.commands import CommandRunner
from domain.errors import InvalidExportPeriod, NotFound
from domain.invoice import Invoice
from domain.invoice_lines import group_of, invoice_totals
from domain.invoice_numbers import InvoiceNumber, Series, number_id
from domain.invoice_source import SourceKind
from domain.invoice_states import DocumentKind
from domain.invoice_terms import Buyer, OperationCategory
from domain.invoicing import Amounts, rate_key
from domain.values import ZERO, in_money_context, round_money

MAX_YEARS = 10
"""The longest range exported at once, in calendar years (a fiscal year spans two)."""

# Lines counted in units of time are services when an invoice is of goods and services.
SERVICE_UNITS = frozenset({"SEC", "MIN", "HUR", "DAY", "WEE", "MON", "QAN", "ANN", "E48"})


class InvalidAccountMapping(ValueError):
    """The account mapping file cannot be read or names an unknown key or a bad account."""


class UnbalancedEntry(AssertionError):
    """An entry whose debits and credits differ: a bug, never written anywhere."""


@dataclass(frozen=True)
class AccountMapping:
    """Which accounts the entries use (French PCG defaults); see `load_mapping`."""

    customers: str = "411"
    services: str = "706"
    goods: str = "707"
    deposits: str = "4191"  # customers' advances: what deposit invoices bill
    vat: str = "44571"
    vat_by_rate: dict[str, str] = field(default_factory=dict)  # rate_key → sub-account
    journal_code: str = "VE"
    journal_label: str = "Ventes"
    labels: dict[str, str] = field(default_factory=dict)  # account → its label

    def vat_account(self, rate: Decimal) -> str:
        return self.vat_by_rate.get(rate_key(rate), self.vat)

    def label(self, account: str) -> str:
        default = {self.customers: "Clients", self.services: "Prestations de services"}
        default |= {self.goods: "Ventes de marchandises", self.deposits: "Avances clients"}
        return self.labels.get(account) or default.get(account, "TVA collectée")


def load_mapping(path: Path | None) -> AccountMapping:
    """The defaults, overridden by the JSON object in `path` (keys as the fields)."""
    if path is None:
        return AccountMapping()
    try:
        given = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidAccountMapping(f"account mapping {path}: {error}") from None
    return mapping_of(given, str(path))


def mapping_of(given: Any, where: str = "account mapping") -> AccountMapping:
    """An `AccountMapping` from a JSON object, every account and key checked."""
    known = set(AccountMapping.__dataclass_fields__)
    if not isinstance(given, dict) or set(given) - known:
        extra = sorted(set(given) - known) if isinstance(given, dict) else given
        raise InvalidAccountMapping(f"{where}: unknown keys {extra}; known: {sorted(known)}")
    mapping = AccountMapping(**given)
    if not isinstance(mapping.vat_by_rate, dict) or not isinstance(mapping.labels, dict):
        raise InvalidAccountMapping(f"{where}: vat_by_rate and labels are JSON objects")
    try:
        rates = {rate_key(Decimal(str(k))): v for k, v in mapping.vat_by_rate.items()}
    except (ArithmeticError, AttributeError, TypeError):
        raise InvalidAccountMapping(f"{where}: vat_by_rate is keyed by VAT rates") from None
    accounts = [mapping.customers, mapping.services, mapping.goods, mapping.deposits]
    accounts += [mapping.vat, *rates.values()]
    texts = [*accounts, mapping.journal_code, mapping.journal_label, *mapping.labels.values()]
    if not all(isinstance(a, str) and a.isalnum() and len(a) <= 20 for a in accounts):
        raise InvalidAccountMapping(f"{where}: accounts are letters and digits, got {accounts}")
    if not all(isinstance(t, str) and t.strip() and t.isprintable() for t in texts):
        raise InvalidAccountMapping(f"{where}: codes and labels are printable text")
    return replace(mapping, vat_by_rate=rates)


@dataclass(frozen=True)
class Movement:
    """One line of an entry: an account and a signed amount (debit > 0, credit < 0)."""

    account: str
    label: str
    amount: Decimal
    aux_account: str = ""
    aux_label: str = ""


@dataclass(frozen=True)
class Entry:
    """The entry of one issued document, in its currency."""

    number: str
    kind: DocumentKind
    issue_date: date
    customer_id: UUID
    customer: str
    currency: str
    movements: tuple[Movement, ...]
    label: str


@dataclass(frozen=True)
class Selection:
    """The issued documents dated in a range, and the numbers no document registers."""

    start: date
    end: date
    documents: list[Invoice]
    not_exported: list[str]  # "INV-2026-00003 (an order's invoice, between … and …)"


def check_period(start: date, end: date) -> None:
    """A range runs forward and spans at most `MAX_YEARS` calendar years."""
    if start > end:
        raise InvalidExportPeriod(f"the range starts on {start}, after its end {end}")
    if end.year - start.year >= MAX_YEARS:
        raise InvalidExportPeriod(f"a range spans at most {MAX_YEARS} calendar years")


def issued_between(runner: CommandRunner, start: date, end: date) -> Selection:
    """The invoices and credit notes issued from `start` to `end` inclusive, by date, then
    series and number; numbers registered by no document whose dates may fall in range."""
    check_period(start, end)
    found: list[Invoice] = []
    missing: list[str] = []
    for year in range(start.year, end.year + 1):
        for series in Series:
            documents, gaps = _series_between(runner, series, year, start, end)
            found += documents
            missing += gaps
    found.sort(key=lambda d: (d.issue_date, d.kind != DocumentKind.INVOICE, d.number))
    return Selection(start, end, found, missing)


def _series_between(
    runner: CommandRunner, series: Series, year: int, start: date, end: date
) -> tuple[list[Invoice], list[str]]:
    last = runner.next_claim(series.sequence(year)).value - 1  # the current value
    documents: list[Invoice] = []
    gaps: list[int] = []
    before: date | None = None  # the date of the last registered number
    missing: list[str] = []
    for n in range(1, last + 1):
        try:
            register = runner.load(InvoiceNumber, number_id(series.number(year, n)))
        except NotFound:
            gaps.append(n)
            continue
        missing += _gaps(series, year, gaps, before, register.issue_date, start, end)
        gaps, before = [], register.issue_date
        if register.issue_date > end:
            return documents, missing  # numbers follow the dates: the rest are later
        if register.issue_date >= start:
            documents.append(runner.load(Invoice, register.document_id))
    return documents, [*missing, *_gaps(series, year, gaps, before, None, start, end)]


def _gaps(
    series: Series,
    year: int,
    gaps: list[int],
    after: date | None,
    before: date | None,
    start: date,
    end: date,
) -> Iterator[str]:
    if (after is not None and after > end) or (before is not None and before < start):
        return
    low, high = after or date(year, 1, 1), before or date(year, 12, 31)
    what = "invoice" if series == Series.INVOICE else "credit note"
    for n in gaps:
        yield f"{series.number(year, n)} (an order's {what}, dated {low} to {high})"


def entry_of(
    document: Invoice,
    mapping: AccountMapping,
    credited: Invoice | None,
    deducted: Sequence[tuple[Decimal, Amounts]] = (),
) -> Entry:
    """The balanced entry of an issued document; `credited` is a credit note's invoice
    (its split between goods and services applies to the credit note); `deducted`, each
    deposit a final invoice deducts (incl. tax) with that deposit invoice's amounts."""
    number, issue_date, buyer = issued(document)
    sign = 1 if document.kind == DocumentKind.INVOICE else -1
    what = "Facture" if sign == 1 else "Avoir"
    name, aux = buyer.name, customer_code(document.customer_id)
    label = f"{what} {number} {name}"
    revenue = revenue_by_account(document, mapping, credited)
    amounts = document.totals().amounts
    vats = {k: -sign * v for k, v in amounts.vats.items()}
    due = sign * amounts.gross
    movements = [*(Movement(a, label, -sign * v) for a, v in revenue.items())]
    for amount, deposit in deducted:  # the advance and its VAT taken back, per rate
        ratio = amount / deposit.gross if deposit.gross else ZERO
        shares = {k: round_money(v * ratio, document.currency) for k, v in deposit.vats.items()}
        for key, share in shares.items():
            vats[key] = vats.get(key, ZERO) + share
        movements.append(Movement(mapping.deposits, label, amount - sum(shares.values(), ZERO)))
        due -= amount
    movements.insert(0, Movement(mapping.customers, label, due, aux, name))
    for key, vat in sorted(vats.items(), key=lambda kv: group_of(kv[0])[1]):
        rate = group_of(key)[1]
        account = mapping.vat_account(rate)
        movements.append(Movement(account, f"{label} TVA {rate_key(rate)} %", vat))
    kept = tuple(replace(m, label=m.label[:200]) for m in movements if m.amount != 0)
    customer, currency = document.customer_id, document.currency
    entry = Entry(number, document.kind, issue_date, customer, name, currency, kept, label)
    check_balanced(entry)
    return entry


def is_deposit(document: Invoice) -> bool:
    """A deposit invoice (acompte): what it bills is an advance, not yet revenue."""
    source = document.source
    return source is not None and source.kind == SourceKind.DEPOSIT


def issued(document: Invoice) -> tuple[str, date, Buyer]:
    """The number, issue date and buyer of an issued document (a draft has none)."""
    number, day, buyer = document.number, document.issue_date, document.buyer
    if number is None or day is None or buyer is None:
        raise ValueError(f"invoice {document.id} is not issued")
    return number, day, buyer


def check_balanced(entry: Entry) -> None:
    """Debits equal credits, or `UnbalancedEntry`."""
    total = sum((m.amount for m in entry.movements), ZERO)
    if total != 0:
        raise UnbalancedEntry(f"the entry of {entry.number} is off by {total}")


def customer_code(customer_id: UUID) -> str:
    """The customer's auxiliary account: `C` and the first 10 hex digits of its id."""
    return "C" + customer_id.hex[:10].upper()


@in_money_context
def revenue_by_account(
    document: Invoice, mapping: AccountMapping, credited: Invoice | None
) -> dict[str, Decimal]:
    """The net base per revenue account: a deposit invoice's to customers' advances, all
    706 for services, all 707 for goods; for both, lines in units of time are services,
    the rest goods (a credit note shares its bases as its invoice did, per breakdown)."""
    bases = document.totals().amounts.bases
    if is_deposit(credited or document):
        return {mapping.deposits: sum(bases.values(), ZERO)}
    operation = document.details.operation
    if operation != OperationCategory.BOTH:
        account = mapping.services if operation == OperationCategory.SERVICES else mapping.goods
        return {account: sum(bases.values(), ZERO)}
    source = credited or document
    details = source.details
    services = [line for line in source.lines.values() if line.unit in SERVICE_UNITS]
    split = invoice_totals(services, source.currency, details.discounts, details.discount_mode)
    of_services = split.amounts.bases
    if credited is not None:  # the invoice's share of services, breakdown by breakdown
        whole = credited.totals().amounts.bases
        of_services = {
            key: round_money(base * of_services.get(key, ZERO) / whole[key], document.currency)
            for key, base in bases.items()
            if whole.get(key)
        }
    services_net = sum((of_services.get(key, ZERO) for key in bases), ZERO)
    return {mapping.services: services_net, mapping.goods: sum(bases.values(), ZERO) - services_net}
