"""The files handed to the accountant (I7): the FEC and the sales journal.

The FEC (fichier des écritures comptables) has the 18 columns of art. A47 A-1 of the
Livre des procédures fiscales, a header line naming them, a tab (or `|`) between fields,
dates as YYYYMMDD and amounts with a decimal comma, in euros: a document in another
currency is refused by its number, as invoices record no exchange rate to convert it.
Entries are numbered in one continuous sequence (`EcritureNum`) in date order; each
line's `PieceRef` is the document's number. The sales journal lists every document with
its net and VAT per rate and its total, in its own currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.accounting import (
    AccountMapping,
    Entry,
    Selection,
    customer_code,
    entry_of,
    issued,
    issued_between,
)
from application.commands import CommandRunner
from domain.company import COMPANY_ID, Company
from domain.errors import ExportNeedsEuros, NotFound
from domain.invoice import Invoice
from domain.invoice_lines import group_of
from domain.invoice_numbers import InvoiceNumber, number_id
from domain.invoice_states import DocumentKind
from domain.invoice_terms import OperationCategory
from domain.invoicing import Amounts, rate_key
from domain.values import ZERO

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
SEPARATORS = {"tab": "\t", "pipe": "|"}
FEC_CURRENCY = "EUR"


def fec_amount(value: Decimal) -> str:
    """`1234.5` → `1234,50`: two decimals, a decimal comma, no thousands separator."""
    return f"{value:.2f}".replace(".", ",")


def fec_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def fec_field(text: str) -> str:
    """Text with no separator, tab or line break left in it."""
    for character in ("\t", "|", "\r", "\n"):
        text = text.replace(character, " ")
    return text.strip()


def fec_records(entries: Iterable[Entry], mapping: AccountMapping) -> list[list[str]]:
    """The FEC's lines, one per movement, entries numbered 1, 2, … in the order given."""
    records = []
    for number, entry in enumerate(entries, start=1):
        day = fec_date(entry.issue_date)
        for m in entry.movements:
            debit, credit = max(m.amount, ZERO), max(-m.amount, ZERO)
            fields = [mapping.journal_code, mapping.journal_label, str(number), day]
            fields += [m.account, mapping.label(m.account), m.aux_account, m.aux_label]
            fields += [entry.number, day, m.label, fec_amount(debit), fec_amount(credit)]
            fields += ["", "", day, "", ""]  # not lettered; validated when issued; in EUR
            records.append([fec_field(f) for f in fields])
    return records


def fec_text(records: Iterable[Sequence[str]], separator: str = "\t") -> str:
    """The file's text: the header, then the records, lines ending with CR LF."""
    lines = [separator.join(FEC_COLUMNS), *(separator.join(r) for r in records)]
    return "".join(f"{line}\r\n" for line in lines)


def fec_filename(siren: str | None, end: date) -> str:
    """`{SIREN}FEC{YYYYMMDD}.txt`, dated by the range's last day (the closing date)."""
    return f"{siren or ''}FEC{fec_date(end)}.txt"


@dataclass(frozen=True)
class ExportReport:
    """What an export holds and what it leaves out, said in lines a person reads."""

    start: date
    end: date
    documents: int
    debit: Decimal
    credit: Decimal
    not_exported: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        said = [f"{self.documents} documents issued from {self.start} to {self.end}"]
        if self.debit or self.credit:
            said.append(f"debit {self.debit}, credit {self.credit}")
        said += [f"not in this export: {number}" for number in self.not_exported]
        return said + list(self.notes)


@dataclass(frozen=True)
class FecExport:
    text: str
    filename: str
    report: ExportReport


@dataclass(frozen=True)
class JournalRow:
    """One document of the sales journal; a credit note's amounts are negative."""

    issue_date: date
    number: str
    kind: DocumentKind
    customer_id: UUID
    customer: str
    currency: str
    credited_number: str | None
    net_by_rate: dict[str, Decimal]
    vat_by_rate: dict[str, Decimal]
    net: Decimal
    vat: Decimal
    gross: Decimal


def journal_row(document: Invoice) -> JournalRow:
    """The sales journal's row of an issued document, net and VAT per rate."""
    number, issue_date, buyer = issued(document)
    sign = 1 if document.kind == DocumentKind.INVOICE else -1
    amounts = document.totals().amounts
    nets: dict[str, Decimal] = {}
    vats: dict[str, Decimal] = {}
    for key in sorted(amounts.bases, key=lambda k: group_of(k)[1]):
        rate = rate_key(group_of(key)[1])
        nets[rate] = nets.get(rate, ZERO) + sign * amounts.bases[key]
        vats[rate] = vats.get(rate, ZERO) + sign * amounts.vats.get(key, ZERO)
    credited = document.credited.number if document.credited else None
    return JournalRow(
        issue_date,
        number,
        document.kind,
        document.customer_id,
        buyer.name,
        document.currency,
        credited,
        nets,
        vats,
        sign * amounts.net,
        sign * amounts.vat,
        sign * amounts.gross,
    )


def journal_csv(rows: Sequence[JournalRow]) -> str:
    """The sales journal as CSV: a net and a VAT column per rate found, then the totals."""
    rates = sorted({r for row in rows for r in row.net_by_rate}, key=Decimal)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    per_rate = [f"{what} {rate} %" for rate in rates for what in ("net", "vat")]
    fixed = ["date", "number", "kind", "customer", "currency"]
    writer.writerow([*fixed, *per_rate, "net", "vat", "gross"])
    for row in rows:
        amounts = [
            str(by.get(rate, "")) for rate in rates for by in (row.net_by_rate, row.vat_by_rate)
        ]
        fixed = [row.issue_date.isoformat(), row.number, str(row.kind), row.customer]
        writer.writerow([*fixed, row.currency, *amounts, row.net, row.vat, row.gross])
    return out.getvalue()


class AccountingExports:
    """Reads the issued documents of a range and writes what the accountant receives."""

    def __init__(self, runner: CommandRunner, mapping: AccountMapping) -> None:
        self.runner = runner
        self.mapping = mapping

    def fec(self, start: date, end: date, separator: str = "\t") -> FecExport:
        """The FEC of the documents issued from `start` to `end`; `ExportNeedsEuros` names
        the first document in another currency."""
        selection = issued_between(self.runner, start, end)
        entries: list[Entry] = []
        empty: list[Entry] = []
        codes: dict[str, UUID] = {}
        for document in selection.documents:
            if document.currency != FEC_CURRENCY:
                raise ExportNeedsEuros(
                    f"{document.number} is in {document.currency}: the FEC is kept in euros "
                    "and invoices record no exchange rate to convert it; choose a range "
                    "without it"
                )
            credited, deducted = self._credited(document), self._deducted(document)
            entry = entry_of(document, self.mapping, credited, deducted)
            code = customer_code(entry.customer_id)
            if codes.setdefault(code, entry.customer_id) != entry.customer_id:
                raise RuntimeError(f"two customers share the auxiliary account {code}")
            (entries if entry.movements else empty).append(entry)
        records = fec_records(entries, self.mapping)
        debit = sum((Decimal(r[11].replace(",", ".")) for r in records), ZERO)
        credit = sum((Decimal(r[12].replace(",", ".")) for r in records), ZERO)
        notes = [f"{entry.number}: a total of zero, nothing to enter" for entry in empty]
        notes.append("amounts in EUR: documents in another currency are refused")
        report = self._report(selection, debit, credit, notes)
        return FecExport(fec_text(records, separator), fec_filename(self.siren(), end), report)

    def sales_journal(self, start: date, end: date) -> tuple[list[JournalRow], ExportReport]:
        """Every document issued from `start` to `end`, in its currency, and the report."""
        selection = issued_between(self.runner, start, end)
        rows = [journal_row(document) for document in selection.documents]
        return rows, self._report(selection, ZERO, ZERO, [])

    def siren(self) -> str | None:
        """The company's SIREN, None when it is not established."""
        try:
            return self.runner.load(Company, COMPANY_ID).details.siren
        except NotFound:
            return None

    def _credited(self, document: Invoice) -> Invoice | None:
        both = document.details.operation == OperationCategory.BOTH
        if document.credited is None or not both:
            return None
        return self.runner.load(Invoice, document.credited.invoice_id)

    def _deducted(self, document: Invoice) -> list[tuple[Decimal, Amounts]]:
        """Each deposit the invoice deducts, with the amounts of its deposit invoice (the
        invoice's own when the deposit is kept inside its order, with no document)."""
        found = []
        for deduction in getattr(document.details, "deposits", ()):
            deposit = self._deposit(deduction.invoice_id, deduction.number) or document
            found.append((deduction.amount, deposit.totals().amounts))
        return found

    def _deposit(self, invoice_id: UUID | None, number: str) -> Invoice | None:
        try:
            if invoice_id is None:
                invoice_id = self.runner.load(InvoiceNumber, number_id(number)).document_id
            return self.runner.load(Invoice, invoice_id)
        except NotFound:
            return None

    @staticmethod
    def _report(
        selection: Selection, debit: Decimal, credit: Decimal, notes: list[str]
    ) -> ExportReport:
        documents, missing = len(selection.documents), tuple(selection.not_exported)
        return ExportReport(
            selection.start, selection.end, documents, debit, credit, missing, tuple(notes)
        )


def journal_json(rows: Sequence[JournalRow], report: ExportReport) -> dict[str, Any]:
    """The sales journal as JSON: the rows, the totals per currency, the report."""
    totals: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        total = totals.setdefault(row.currency, {"net": ZERO, "vat": ZERO, "gross": ZERO})
        for name in total:
            total[name] += getattr(row, name)
    return {
        "from": report.start,
        "to": report.end,
        "documents": [vars(row) for row in rows],
        "totals": totals,
        "not_exported": list(report.not_exported),
    }
