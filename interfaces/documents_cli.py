"""`comptoir documents`: write a document's PDF, and say whether a file is one Comptoir
issued (which document, which edition, when, and whether the hash chain covers it)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from adapters.eventstore.chain import chain_store_for
from application.app import Comptoir
from application.authenticity import document_forgery
from application.journal import CommandContext
from domain.printed_document import FilePlace, PrintedDocument, PrintedKind, issued_file_id
from interfaces.clock import utc_now

documents = typer.Typer(
    help="Printed documents: render them, verify a PDF is one Comptoir issued.",
    no_args_is_help=True,
)


def _app() -> Comptoir:
    from interfaces.cli import load_settings  # cli imports this module at load time

    return Comptoir(load_settings().eventstore_env())


@documents.command("render")
def render(
    kind: Annotated[PrintedKind, typer.Argument(help="quote, order_acknowledgement, …")],
    source_id: Annotated[UUID, typer.Argument(help="The quote, order or invoice id")],
    edition: Annotated[
        str | None, typer.Option(help="r2 (quote revision), a1 (amendment), D1 (delivery)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Where to write (default: its file name)")
    ] = None,
    current: Annotated[
        bool, typer.Option(help="Render with today's templates instead of the issued bytes")
    ] = False,
) -> None:
    """Write the issued PDF of a document (issuing it now if it never was)."""
    with _app() as app:
        ctx = CommandContext(actor="system", at=utc_now(), reason="rendered from the console")
        if current:
            file = app.documents.rendered(kind, source_id, edition, ctx.at.date())
        else:
            file = app.documents.issued(ctx, kind, source_id, edition)
    target = out or Path(file.file_name)
    target.write_bytes(file.data)
    what = "issued" if file.issued else "rendered now, not issued"
    typer.echo(f"{target}: {file.edition} {what}, sha256 {file.sha256}")


def _describe(app: Comptoir, place: FilePlace) -> tuple[list[str], bool]:
    """Lines about one place a file was issued as, and whether its events are authentic."""
    printed = app.runner.load(PrintedDocument, place.printed_id)
    rendition = printed.rendition(place.edition)
    entries = [
        e
        for e in app.history(place.printed_id)
        if e.type.endswith(".Rendered") and getattr(e.event, "rendition", None) == rendition
    ]
    entry = entries[0] if entries else None
    who = entry.journal.record.actor if entry and entry.journal else "unknown"
    lines = [
        f"issued by Comptoir: {rendition.title} ({place.kind} of document {place.source_id}, "
        f"edition {place.edition})",
        f"  {rendition.size} bytes, template {rendition.template_version}, "
        f"rendered {rendition.rendered_at.isoformat()} by {who}",
    ]
    forged = document_forgery(app.recorder, app.keyring, place.printed_id) or document_forgery(
        app.recorder, app.keyring, issued_file_id(rendition.sha256)
    )
    if forged is not None:
        return [*lines, f"  NOT AUTHENTIC: the record was altered ({forged})"], False
    head = chain_store_for(app).head()
    position = entry.position if entry else 0
    if head is not None and position and head.notification_id >= position:
        lines.append(
            f"  recorded at log position {position}, sealed in the hash chain "
            f"(head {head.notification_id}); `comptoir audit verify` checks the whole chain"
        )
    else:
        lines.append(
            f"  recorded at log position {position}, not sealed yet (`comptoir audit seal`)"
        )
    for sending in printed.sendings.values():
        if sending.sha256 == rendition.sha256:
            lines.append(
                f"  e-mailed to {sending.recipient} ({sending.status}), "
                f"Message-ID {sending.message_id}"
            )
    return lines, True


@documents.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Exit 0 if FILE is, byte for byte, a document Comptoir issued (and say which);
    exit 1 if it is not, or if the record of its issue was altered."""
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with _app() as app:
        found = app.documents.identify(data)
        if found is None:
            typer.echo(f"not issued by Comptoir: no document has SHA-256 {digest}")
            raise typer.Exit(1)
        typer.echo(f"sha256 {digest}")
        authentic = True
        for place in found.places:
            lines, ok = _describe(app, place)
            authentic = authentic and ok
            for line in lines:
                typer.echo(line)
    if not authentic:
        raise typer.Exit(1)
