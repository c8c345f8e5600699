"""A document's timeline: every event with who, when, why and the command; the document
as it stood at any version; the difference between two versions; the PDF issued at each.

All of it is read from the document's own JSON routes (`/{kind}s/{id}/history`,
`/{kind}s/{id}?version=N`, the PDF routes), with the signed-in user's key.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response, StreamingResponse

from interfaces.console.client import Reply
from interfaces.console.common import BadFilter, error_page, page_route
from interfaces.console.diffing import changes, editions
from interfaces.console.rendering import SECURITY_HEADERS, render
from interfaces.console.session import PREFIX, Console

router = APIRouter()

KINDS = ("quote", "order", "invoice", "affair", "contract", "asset")
KIND_NAMES = {
    "quote": "Quote",
    "order": "Order",
    "invoice": "Invoice",
    "affair": "Affair",
    "contract": "Contract",
    "asset": "Asset",
}
_PASSED_ON = ("content-type", "content-disposition", "etag", "x-document-sha256")


def document_of(console: Console) -> tuple[str, str]:
    """The kind and id in the path, checked before they name an API route."""
    params = console.request.path_params
    kind, text = str(params.get("kind", "")), str(params.get("document_id", ""))
    if kind not in KINDS:
        raise BadFilter(console.words.gettext("No such kind of document."))
    try:
        return kind, str(UUID(text))
    except ValueError:
        raise BadFilter(console.words.gettext("A document id is a UUID.")) from None


def version_of(console: Console, name: str) -> int:
    text = console.request.query_params.get(name, "") or str(
        console.request.path_params.get(name, "")
    )
    if not text.isdigit() or not 1 <= int(text) <= 2**31:
        raise BadFilter(console.words.gettext("A version is a number from 1."))
    return int(text)


def timeline_link(kind: str, document_id: str) -> str:
    return f"{PREFIX}/documents/{kind}/{document_id}"


@page_route(router, "/documents")
async def documents_page(console: Console) -> Response:
    """Find a document by kind and id; a found one opens on its timeline."""
    params = console.request.query_params
    kind, text = params.get("kind", ""), params.get("document_id", "").strip()
    error = None
    if kind or text:
        try:
            if kind not in KINDS:
                raise ValueError
            return RedirectResponse(timeline_link(kind, str(UUID(text))), status_code=303)
        except ValueError:
            error = console.words.gettext("Choose a kind and paste the document's id (a UUID).")
    context = {
        "title": console.words.gettext("Documents"),
        "kinds": KINDS,
        "kind_names": KIND_NAMES,
        "kind": kind,
        "document_id": text,
        "error": error,
    }
    return render(console.request, "documents.html", context, console, 422 if error else 200)


@page_route(router, "/documents/{kind}/{document_id}")
async def timeline_page(console: Console) -> Response:
    """Every event of the document, newest last, with the PDFs issued on the way."""
    kind, document_id = document_of(console)
    history: list[dict[str, Any]] = await console.client.json(f"/{kind}s/{document_id}/history")
    issued = editions(kind, history)
    last = max((int(e["version"]) for e in history), default=1)
    context = {
        "title": f"{console.words.gettext(KIND_NAMES[kind])} {document_id}",
        "kind": kind,
        "kind_name": KIND_NAMES[kind],
        "document_id": document_id,
        "history": history,
        "editions": issued,
        "base": timeline_link(kind, document_id),
        "default_from": max(1, last - 1),
        "default_to": last,
    }
    return render(console.request, "timeline.html", context, console)


@page_route(router, "/documents/{kind}/{document_id}/versions/{version}")
async def version_page(console: Console) -> Response:
    """The document as it stood at one version, as its JSON route gives it."""
    kind, document_id = document_of(console)
    version = version_of(console, "version")
    state = await console.client.json(f"/{kind}s/{document_id}", {"version": version})
    context = {
        "title": f"{console.words.gettext(KIND_NAMES[kind])} — v{version}",
        "kind": kind,
        "document_id": document_id,
        "version": version,
        "state": state,
        "base": timeline_link(kind, document_id),
    }
    return render(console.request, "version.html", context, console)


@page_route(router, "/documents/{kind}/{document_id}/diff")
async def diff_page(console: Console) -> Response:
    """What differs between two versions of the document, field by field."""
    kind, document_id = document_of(console)
    first, second = version_of(console, "from"), version_of(console, "to")
    before = await console.client.json(f"/{kind}s/{document_id}", {"version": first})
    after = await console.client.json(f"/{kind}s/{document_id}", {"version": second})
    context = {
        "title": console.words.gettext("Versions {a} and {b}", a=first, b=second),
        "kind": kind,
        "document_id": document_id,
        "first": first,
        "second": second,
        "changes": changes(before, after),
        "base": timeline_link(kind, document_id),
    }
    return render(console.request, "diff.html", context, console)


@page_route(router, "/documents/{kind}/{document_id}/pdf")
async def pdf_file(console: Console) -> Response:
    """The PDF issued at a version of the document, from the documents routes."""
    kind, document_id = document_of(console)
    version = version_of(console, "version")
    history = await console.client.json(f"/{kind}s/{document_id}/history")
    edition = editions(kind, history).get(version)
    if edition is None:
        raise BadFilter(console.words.gettext("Nothing was issued at this version."))
    path = f"/{kind}s/{document_id}/{quote(edition.path, safe='/')}"
    streamed = await console.client.stream(path, edition.params)
    if streamed.status != 200:
        body = b"".join([c async for c in streamed.chunks])
        return error_page(console, streamed.status, Reply(streamed.status, {}, body).detail())
    headers = {k: v for k, v in streamed.headers.items() if k in _PASSED_ON}
    return StreamingResponse(streamed.chunks, headers={**SECURITY_HEADERS, **headers})
