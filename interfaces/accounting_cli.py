"""`comptoir export fec` and `comptoir export sales-journal` (I7): the accounting hand-over
of a range of issue dates, written to a file, with what it leaves out said on stdout.

Bad input (a malformed day, a range backwards, a document in another currency in a FEC,
an unreadable account mapping) is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from application.accounting import InvalidAccountMapping, load_mapping
from application.app import Comptoir
from application.fec import SEPARATORS, AccountingExports, journal_csv, journal_json
from domain.errors import DomainError, InvalidInput

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Start = Annotated[str, typer.Option("--from", help="First issue date, YYYY-MM-DD")]
End = Annotated[str, typer.Option("--to", help="Last issue date (included), YYYY-MM-DD")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"comptoir: {message}".splitlines()[0], err=True)
    return typer.Exit(code)


def _day(text: str, option: str) -> date:
    try:
        if DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise _fail(f"{option} must be a day written YYYY-MM-DD, got {text!r}", 2)


@contextmanager
def _exports() -> Iterator[AccountingExports]:
    from interfaces.cli import load_settings  # cli imports this module at load time

    settings = load_settings()
    try:
        mapping = load_mapping(settings.accounts_file)
    except InvalidAccountMapping as error:
        raise _fail(f"COMPTOIR_ACCOUNTS_FILE: {error}", 2) from None
    with Comptoir(settings.eventstore_env()) as app:
        try:
            yield AccountingExports(app.runner, mapping)
        except DomainError as error:
            raise _fail(str(error), 2 if isinstance(error, InvalidInput) else 1) from None


def export_fec(
    start: Start,
    end: End,
    out: Annotated[
        Path | None, typer.Option(help="The file to write (default: {SIREN}FEC{to}.txt here)")
    ] = None,
    separator: Annotated[str, typer.Option(help="tab or pipe")] = "tab",
) -> None:
    """Write the FEC (art. A47 A-1 LPF) of the invoices and credit notes issued in the range."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if separator not in SEPARATORS:
        raise _fail(f"--separator is tab or pipe, got {separator!r}", 2)
    with _exports() as exports:
        export = exports.fec(first, last, SEPARATORS[separator])
    target = out or Path(export.filename)
    target.write_text(export.text, encoding="utf-8", newline="")
    typer.echo(f"FEC written to {target}")
    for line in export.report.lines():
        typer.echo(line)


def export_sales_journal(
    start: Start,
    end: End,
    out: Annotated[Path, typer.Option(help="The file to write")],
    kind: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
) -> None:
    """Write the sales journal of the range: each document's net and VAT per rate, total."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if kind not in ("csv", "json"):
        raise _fail(f"--format is csv or json, got {kind!r}", 2)
    with _exports() as exports:
        rows, report = exports.sales_journal(first, last)
    if kind == "csv":
        out.write_text(journal_csv(rows), encoding="utf-8", newline="")
    else:
        text = json.dumps(journal_json(rows, report), default=str, ensure_ascii=False, indent=2)
        out.write_text(text + "\n", encoding="utf-8")
    typer.echo(f"sales journal written to {out}")
    for line in report.lines():
        typer.echo(line)
