"""HTML templates (Jinja2) rendered to PDF/A-3b by WeasyPrint, the same bytes every time.

A rendering is reproducible, so the hash recorded for an issued file means something:
the PDF's dates are the document's own (`dcterms.created`), and the fonts embedded are
subset with a fixed timestamp (fontTools honours `SOURCE_DATE_EPOCH`; without it each
subset font carries the second it was made). Nothing is fetched while rendering but
the `data:` URIs the content carries (the logo): no file, no network.

What does not change from one document to the next is prepared once and shared: the
stylesheet (`style.css`) is parsed once per renderer rather than once per render, and
each thread keeps its WeasyPrint fonts.

The template version names the templates' release and a digest of their files, so an
event says which templates made the bytes it hashes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, datetime, time
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2

from adapters.documents.content import PrintedContent

TEMPLATES = Path(__file__).parent / "templates"
RELEASE = "1"
STYLESHEET = "style.css"
# 2020-01-01T00:00:00Z: what embedded fonts say they were modified at.
FONT_EPOCH = "1577836800"
MISSING_LIBRARIES = (
    "WeasyPrint cannot load its system libraries ({error}). Install Pango and a font "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)."
)


class RendererUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs (Pango, fonts) cannot be loaded."""


def data_only_fetcher() -> Any:
    """WeasyPrint's fetcher, allowed nothing but `data:` URIs (the logo is inlined): a
    document never reaches the network or the disk while it renders; any other URL is
    skipped with a warning, never fetched."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def load_weasyprint() -> Any:
    """The `weasyprint` module, or `RendererUnavailable` naming the missing library."""
    try:
        import weasyprint
    except (OSError, ImportError) as error:
        raise RendererUnavailable(MISSING_LIBRARIES.format(error=error)) from error
    return weasyprint


class Renderer:
    """Renders a `PrintedContent` with the template of its kind."""

    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.templates = Path(templates)
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # WeasyPrint's fonts, loaded once per thread rather than per render (about a
        # tenth of a render's CPU; the same bytes): a FontConfiguration is not shared
        # between threads, the HTTP server renders in several
        self._fonts = threading.local()
        self._stylesheet: Any = None
        self._stylesheet_lock = threading.Lock()

    @cached_property
    def version(self) -> str:
        """`1+<12 hex digits>`: the release and a digest of every template file."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.templates.rglob("*") if p.is_file()):
            digest.update(path.relative_to(self.templates).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
        return f"{RELEASE}+{digest.hexdigest()[:12]}"

    def html(self, content: PrintedContent, *, inline_style: bool = True) -> str:
        """The document as HTML, by the template of its kind (`quote.html` …), its style
        inlined unless the renderer gives WeasyPrint the parsed stylesheet itself."""
        template = self.environment.get_template(f"{content.kind.value}.html")
        created = datetime.combine(content.issued_on, time(), UTC).isoformat()
        return template.render(doc=content, created=created, inline_style=inline_style)

    def stylesheet(self) -> Any:
        """`style.css` as a WeasyPrint stylesheet, parsed on first use and then shared by
        every render and thread (WeasyPrint only reads a parsed stylesheet)."""
        with self._stylesheet_lock:
            if self._stylesheet is None:
                weasyprint = load_weasyprint()
                css = (self.templates / STYLESHEET).read_text(encoding="utf-8")
                self._stylesheet = weasyprint.CSS(string=css, url_fetcher=data_only_fetcher())
            return self._stylesheet

    def pdf(self, content: PrintedContent) -> bytes:
        """The document as PDF/A-3b bytes, identical for identical content and templates."""
        weasyprint = load_weasyprint()
        os.environ.setdefault("SOURCE_DATE_EPOCH", FONT_EPOCH)
        fonts = getattr(self._fonts, "config", None)
        if fonts is None:
            from weasyprint.text.fonts import FontConfiguration

            fonts = self._fonts.config = FontConfiguration()
        html = self.html(content, inline_style=False)
        document = weasyprint.HTML(string=html, url_fetcher=data_only_fetcher())
        data: bytes = document.write_pdf(
            stylesheets=[self.stylesheet()],
            pdf_variant="pdf/a-3b",
            font_config=fonts,
        )
        return data
