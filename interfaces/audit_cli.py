"""`comptoir audit`: seal the event log into its hash chain, verify it, print the anchor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from adapters.eventstore.chain import chain_store_for
from application.adoption import AdoptionRefused, adopt
from application.app import Comptoir
from application.row_audit import audit_rows
from application.sealing import Anchor, ChainStore, Sealer
from application.verification import verify

audit = typer.Typer(
    help="Tamper evidence: a SHA-256 chain over the whole event log.", no_args_is_help=True
)


@contextmanager
def _opened() -> Iterator[tuple[Comptoir, ChainStore]]:
    from interfaces.cli import load_settings  # cli imports this module at load time

    with Comptoir(load_settings().eventstore_env()) as app:
        yield app, chain_store_for(app)


def _anchor(text: str | None) -> Anchor | None:
    if text is None:
        return None
    try:
        return Anchor.parse(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


@audit.command()
def seal(
    page_size: Annotated[int, typer.Option(min=1, help="Events per sealed batch")] = 1000,
    follow: Annotated[
        bool, typer.Option(help="Keep sealing as the log grows, until stopped (a sealer alone)")
    ] = False,
) -> None:
    """Seal every event recorded since the last seal, and print how many (or follow)."""
    if follow:
        from interfaces.cli import load_settings
        from interfaces.standalone import follow_sealing

        follow_sealing(load_settings(), page_size)
        return
    with _opened() as (app, store):
        count = Sealer(app, store, page_size=page_size).seal()
        head = store.head()
    where = "nothing sealed yet" if head is None else f"head {head.anchor}"
    typer.echo(f"sealed {count} events; {where}")


@audit.command("verify")
def verify_command(
    anchor: Annotated[
        str | None,
        typer.Option(help="An anchor kept earlier (ID:HEX from `audit anchor`) to check too"),
    ] = None,
) -> None:
    """Check the log against its chain and every row (events, journal, snapshots) against
    the writer's MACs: exit 1 naming what is wrong, else print the head."""
    expected = _anchor(anchor)
    with _opened() as (app, store):
        report = verify(app, store, anchor=expected)
        rows = audit_rows(app)
    typer.echo(str(report))
    typer.echo(str(rows))
    if not report.ok or not rows.ok:
        raise typer.Exit(1)


@audit.command("adopt")
def adopt_command() -> None:
    """Sign the journal rows and snapshots written before signing that the chain vouches
    for (run once after upgrading; nothing unsealed or disagreeing is signed)."""
    with _opened() as (app, store):
        try:
            adopted = adopt(app, store)
        except AdoptionRefused as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(1) from None
    typer.echo(str(adopted))


@audit.command("anchor")
def anchor_command() -> None:
    """Print the head as ID:HEX (the link covering every event up to notification ID)."""
    with _opened() as (_app, store):
        head = store.head()
    if head is None:
        typer.echo("nothing sealed yet: run `comptoir audit seal` first", err=True)
        raise typer.Exit(1)
    typer.echo(str(head.anchor))
