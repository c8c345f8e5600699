"""Printed documents (issue 15): issue each edition once, serve its bytes for ever, e-mail
it, and say whether a file is one Comptoir issued.

Issuing an edition renders it, stores the bytes in the content-addressed blob store and
records `PrintedDocument.Rendered` (SHA-256, size, template version, source version)
with the `IssuedFile` register of that hash, in one command: from then on the edition
is served from the store, whatever the templates have become. Rendering a past edition
with today's templates (`render_current`) records and stores nothing. A draft is not
issued: only a preview marked PROJET or PRO FORMA is rendered, never stored.

Sending records the request (recipient, subject, Message-ID, the attachment's hash)
under the command's idempotency key, then sends and records `Sent` or `SendingFailed`:
a retry with the same key finds the same sending, and one already sent is not sent again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from uuid import UUID

from adapters.blobs import BlobStore
from adapters.documents.content import PrintedContent
from adapters.documents.facturx_pdf import embed_facturx
from adapters.documents.render import Renderer
from application.commands import CommandRunner, Outcome
from application.company import DEFAULT_BLOB_DIR
from application.document_sources import Edition, SourceReader, loader_of
from application.dunning_letter_source import dunning_edition
from application.errors import ConcurrentUpdate
from application.journal import CommandContext
from domain.errors import DocumentNotIssued, NotFound
from domain.printed_document import (
    FilePlace,
    IssuedFile,
    PrintedDocument,
    PrintedKind,
    Rendition,
    issued_file_id,
    printed_id,
)

PDF = "application/pdf"
# kinds whose loaders register themselves apart from the table of `document_sources`
REGISTERED_APART = (dunning_edition,)


@dataclass(frozen=True)
class PrintedFile:
    """The bytes of an edition and what they are: issued (stored) or rendered now."""

    data: bytes
    file_name: str
    sha256: str
    template_version: str
    edition: str
    issued: bool  # False: a preview or a re-render with today's templates


@dataclass(frozen=True)
class Identified:
    """A file found among those Comptoir issued, with where it belongs."""

    sha256: str
    size: int
    places: list[FilePlace]


class DocumentCommands:
    """Issue, serve, re-render and send printed documents; identify issued files."""

    def __init__(
        self,
        runner: CommandRunner,
        blob_dir: str | Path | None = None,
        renderer: Renderer | None = None,
    ) -> None:
        self.runner = runner
        self.blobs = BlobStore(Path(blob_dir) if blob_dir else DEFAULT_BLOB_DIR)
        self.renderer = renderer or Renderer()
        self.sources = SourceReader(runner, self.blobs)

    # -- reads ---------------------------------------------------------------------------

    def edition(
        self, kind: PrintedKind, source_id: UUID, selector: str | None, on: date
    ) -> Edition:
        """The edition of a source document a request names (see `document_sources`)."""
        return loader_of(PrintedKind(kind))(self.sources, source_id, selector, on)

    def printed(self, kind: PrintedKind, source_id: UUID) -> PrintedDocument | None:
        """What was issued and sent for a source document, None before anything was."""
        try:
            return self.runner.load(PrintedDocument, printed_id(kind, source_id))
        except NotFound:
            return None

    def identify(self, data: bytes) -> Identified | None:
        """The editions these exact bytes were issued as, None if Comptoir never issued them."""
        return self.identify_digest(hashlib.sha256(data).hexdigest())

    def identify_digest(self, digest: str) -> Identified | None:
        """The editions issued as the file whose bytes hash to `digest`, if any."""
        try:
            register = self.runner.load(IssuedFile, issued_file_id(digest))
        except NotFound:
            return None
        return Identified(register.sha256, register.size, list(register.places))

    # -- files -----------------------------------------------------------------------------

    def issued(
        self, ctx: CommandContext, kind: PrintedKind, source_id: UUID, selector: str | None
    ) -> PrintedFile:
        """The edition as issued: its stored bytes, or rendered, stored and recorded now
        if it is issued and was never printed. A draft raises `DocumentNotIssued`."""
        edition = self.edition(kind, source_id, selector, ctx.at.date())
        stored = self._stored(edition)
        if stored is not None:
            return stored
        if not edition.issued:
            raise DocumentNotIssued(
                f"{edition.kind.replace('_', ' ')} {edition.edition} is a draft: it has no "
                "issued PDF (ask for a preview with ?preview=true)"
            )
        content, data = self._render(edition)
        rendition = Rendition(
            edition=edition.edition,
            sha256=self.blobs.put(data),
            size=len(data),
            media_type=PDF,
            file_name=content.file_name,
            title=f"{content.title} {content.reference}",
            template_version=self.renderer.version,
            source_version=edition.source_version,
            rendered_at=ctx.at,
        )
        try:
            self._record(quiet(ctx), edition, rendition)
        except ConcurrentUpdate:
            stored = self._stored(edition)  # issued meanwhile by another request
            if stored is None:
                raise
            return stored
        return PrintedFile(
            data,
            content.file_name,
            rendition.sha256,
            rendition.template_version,
            edition.edition,
            True,
        )

    def rendered(
        self, kind: PrintedKind, source_id: UUID, selector: str | None, on: date
    ) -> PrintedFile:
        """The edition rendered now with today's templates (a draft as a marked preview):
        nothing is stored or recorded."""
        edition = self.edition(kind, source_id, selector, on)
        content, data = self._render(edition)
        digest = hashlib.sha256(data).hexdigest()
        return PrintedFile(
            data, content.file_name, digest, self.renderer.version, edition.edition, False
        )

    def content(
        self, kind: PrintedKind, source_id: UUID, selector: str | None, on: date
    ) -> PrintedContent:
        """What the edition states, as the templates receive it."""
        return self.edition(kind, source_id, selector, on).build()

    def _render(self, edition: Edition) -> tuple[PrintedContent, bytes]:
        """The edition's content and its PDF/A-3, a Factur-X for an issued invoice."""
        content = edition.build()
        data = self.renderer.pdf(content)
        if edition.xml is not None:
            title = f"{content.title} {content.reference}"
            data = embed_facturx(
                data,
                edition.xml(),
                issued_on=content.issued_on,
                title=title,
                author=content.seller.name,
                subject=f"{title} — {content.seller.name}",
            )
        return content, data

    def _stored(self, edition: Edition) -> PrintedFile | None:
        printed = self.printed(edition.kind, edition.source_id)
        if printed is None or edition.edition not in printed.editions:
            return None
        issued = printed.editions[edition.edition]
        data = self.blobs.get(issued.sha256)
        return PrintedFile(
            data, issued.file_name, issued.sha256, issued.template_version, issued.edition, True
        )

    def _record(self, ctx: CommandContext, edition: Edition, rendition: Rendition) -> None:
        place_of = printed_id(edition.kind, edition.source_id)

        def build() -> Outcome:
            printed = self.printed(edition.kind, edition.source_id) or PrintedDocument(
                kind=edition.kind, source_id=edition.source_id, at=ctx.at
            )
            printed.record_rendition(at=ctx.at, rendition=rendition)
            place = FilePlace(place_of, edition.kind, edition.source_id, edition.edition, ctx.at)
            try:
                register = self.runner.load(IssuedFile, issued_file_id(rendition.sha256))
                register.register_again(at=ctx.at, place=place)
            except NotFound:
                register = IssuedFile(
                    sha256=rendition.sha256, size=rendition.size, place=place, at=ctx.at
                )
            result = {"edition": edition.edition, "sha256": rendition.sha256}
            return Outcome([printed, register], result)

        payload = {"kind": edition.kind, "source_id": edition.source_id, "sha": rendition.sha256}
        self.runner.run(ctx, "documents.issue", payload, build)


def quiet(ctx: CommandContext) -> CommandContext:
    """The context of a follow-up command: no idempotency key, no expected version."""
    return replace(ctx, idempotency_key=None, expected_version=None)
