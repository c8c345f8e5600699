"""While a document renders, WeasyPrint reads `data:` URIs (the inlined logo) and nothing
else: no file, no network."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfReader

from adapters.documents.render import data_only_fetcher, load_weasyprint

# a 1×1 red PNG
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def test_a_data_uri_is_read_and_any_other_url_refused() -> None:
    fetcher = data_only_fetcher()
    response = fetcher("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"
    for url in ("file:///etc/hostname", "http://127.0.0.1:9/logo.png"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)


def test_an_inlined_logo_is_drawn_and_a_file_url_is_not() -> None:
    uri = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    html = f'<img src="{uri}" style="width:20px"><img src="file:///etc/hostname">'
    weasyprint = load_weasyprint()
    pdf = weasyprint.HTML(string=html, url_fetcher=data_only_fetcher()).write_pdf()
    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1
