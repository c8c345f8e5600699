"""Printed documents on the real SQLite and Postgres stores: an edition is issued once and
served byte for byte after the templates change; invoices are Factur-X; the verify
command names the document a file is; e-mails reach a real SMTP server once."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from facturx import get_xml_from_pdf

from adapters.documents.cii import invoice_cii
from adapters.documents.facturx_pdf import embedded_xml
from adapters.documents.render import TEMPLATES, Renderer
from adapters.mail import MailNotDelivered, SmtpMailer, SmtpSettings
from application.app import Comptoir
from application.document_mail import DocumentMail
from domain.errors import DocumentNotIssued, InvalidRecipient
from domain.invoice_terms import InvoiceDetails, OperationCategory
from domain.printed_document import IssuedFile, PrintedKind, SendingStatus, issued_file_id
from interfaces.settings import Settings
from tests.conftest import store_env
from tests.integration.company_support import establish_company
from tests.integration.document_support import (
    ctx,
    customer,
    issued_invoice,
    pdf_text,
    sent_quote,
)
from tests.integration.mailbox import attachment_of, free_port, sha256, smtp_server

QUOTE = PrintedKind.QUOTE


@pytest.fixture
def config(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"blob_dir": tmp_path / "blobs"})


@pytest.fixture
def app(config: Settings) -> Iterator[Comptoir]:
    app = Comptoir(config.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def test_an_issued_quote_is_served_byte_for_byte_after_the_templates_change(
    app: Comptoir, tmp_path: Path
) -> None:
    quote_id = sent_quote(app, customer(app))
    issued = app.documents.issued(ctx(), QUOTE, quote_id, None)
    assert (issued.edition, issued.file_name[:8], issued.issued) == ("r1", "Devis-Q-", True)
    assert hashlib.sha256(issued.data).hexdigest() == issued.sha256
    printed = app.documents.printed(QUOTE, quote_id)
    assert printed is not None
    rendition = printed.editions["r1"]
    assert (rendition.sha256, rendition.size) == (issued.sha256, len(issued.data))
    assert rendition.template_version == app.documents.renderer.version
    register = app.runner.load(IssuedFile, issued_file_id(issued.sha256))
    assert [(p.kind, p.source_id, p.edition) for p in register.places] == [(QUOTE, quote_id, "r1")]

    changed = tmp_path / "templates"
    shutil.copytree(TEMPLATES, changed)
    style = changed / "style.css"
    style.write_text(style.read_text().replace("#2f3e4e", "#8a1c1c"))
    app.documents.renderer = Renderer(changed)

    again = app.documents.issued(ctx(), QUOTE, quote_id, None)
    assert (again.data, again.template_version) == (issued.data, rendition.template_version)
    current = app.documents.rendered(QUOTE, quote_id, None, ctx().at.date())
    assert current.data != issued.data
    assert current.template_version != rendition.template_version
    assert not current.issued
    assert pdf_text(current.data) == pdf_text(issued.data)  # same words, new look
    assert app.documents.identify(current.data) is None  # never issued: not on record
    printed = app.documents.printed(QUOTE, quote_id)
    assert printed is not None
    assert list(printed.editions) == ["r1"]


def test_an_issued_invoice_is_a_factur_x_and_a_draft_has_only_a_pro_forma(
    app: Comptoir,
) -> None:
    customer_id = customer(app)
    invoice_id = issued_invoice(app, customer_id)
    issued = app.documents.issued(ctx(), PrintedKind.INVOICE, invoice_id, None)
    assert issued.edition == "INV-2026-00001"
    name, xml = get_xml_from_pdf(issued.data, check_xsd=True)
    assert name == "factur-x.xml"
    assert xml == invoice_cii(app.invoices.get(invoice_id))
    assert "Total TTC 5 439,37 €" in " ".join(pdf_text(issued.data))

    details = InvoiceDetails(OperationCategory.SERVICES)
    draft_id = app.invoices.draft(ctx(), customer_id=customer_id, details=details).aggregate_id
    with pytest.raises(DocumentNotIssued):
        app.documents.issued(ctx(), PrintedKind.INVOICE, draft_id, None)
    preview = app.documents.rendered(PrintedKind.INVOICE, draft_id, None, ctx().at.date())
    text = " ".join(pdf_text(preview.data))
    assert "PRO FORMA" in text
    assert "Facture pro forma" in text
    assert embedded_xml(preview.data) is None
    assert app.documents.printed(PrintedKind.INVOICE, draft_id) is None


def cli_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **store_env(settings, COMPTOIR_BLOB_DIR=str(settings.blob_dir))}


def test_documents_verify_names_the_document_a_file_is_and_refuses_any_other(
    app: Comptoir, config: Settings, tmp_path: Path
) -> None:
    quote_id = sent_quote(app, customer(app))
    issued = app.documents.issued(ctx(), QUOTE, quote_id, None)
    received = tmp_path / "devis-recu.pdf"
    received.write_bytes(issued.data)
    altered = tmp_path / "devis-modifie.pdf"
    altered.write_bytes(issued.data.replace(b"1 234,56", b"1 034,56", 1) + b"\n")
    command = [sys.executable, "-m", "interfaces.cli", "documents", "verify"]
    env = cli_env(config)

    ok = subprocess.run([*command, str(received)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    lines = ok.stdout.splitlines()
    assert lines[0] == f"sha256 {issued.sha256}"
    assert lines[1].startswith("issued by Comptoir: Devis Q-")
    assert f"(quote of document {quote_id}, edition r1)" in lines[1]
    assert "by alice" in lines[2]
    assert "recorded at log position" in lines[3]

    refused = subprocess.run([*command, str(altered)], env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    digest = hashlib.sha256(altered.read_bytes()).hexdigest()
    assert refused.stdout.strip() == f"not issued by Comptoir: no document has SHA-256 {digest}"


def test_an_email_carries_the_issued_file_once_whatever_the_retries(
    app: Comptoir,
) -> None:
    quote_id = sent_quote(app, customer(app))
    with smtp_server() as mailbox:
        mailer = SmtpMailer(SmtpSettings("127.0.0.1", mailbox.port, "ventes@comptoir.example"))
        mail = DocumentMail(app.documents, mailer, "ventes@comptoir.example")
        keyed = ctx(idempotency_key="send-quote-1")
        sending = mail.send(
            keyed, QUOTE, quote_id, None, recipient="achats@martin.example", subject=None
        )
        retried = mail.send(
            keyed, QUOTE, quote_id, None, recipient="achats@martin.example", subject=None
        )
        with pytest.raises(InvalidRecipient):
            mail.send(
                ctx(),
                QUOTE,
                quote_id,
                None,
                recipient="achats@martin.example\r\nBcc: x@y.z",
                subject=None,
            )

    assert retried == sending
    assert sending.status == SendingStatus.SENT
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "achats@martin.example"
    assert message["Message-ID"] == sending.message_id
    assert message["Subject"].startswith("Devis Q-")
    file_name, data = attachment_of(message)
    printed = app.documents.printed(QUOTE, quote_id)
    assert printed is not None
    assert sha256(data) == sending.sha256 == printed.editions["r1"].sha256
    assert file_name == printed.editions["r1"].file_name


def test_a_sending_the_server_did_not_take_is_recorded_and_sent_by_its_retry(
    app: Comptoir,
) -> None:
    quote_id = sent_quote(app, customer(app))
    port = free_port()  # nothing listens there yet
    mailer = SmtpMailer(SmtpSettings("127.0.0.1", port, "ventes@comptoir.example", timeout_s=2))
    mail = DocumentMail(app.documents, mailer, "ventes@comptoir.example")
    keyed = ctx(idempotency_key="send-quote-2")
    with pytest.raises(MailNotDelivered):
        mail.send(keyed, QUOTE, quote_id, None, recipient="achats@martin.example", subject="Devis")
    printed = app.documents.printed(QUOTE, quote_id)
    assert printed is not None
    failed = printed.sendings["1"]
    assert failed.status == SendingStatus.FAILED
    assert failed.failure

    with smtp_server(port) as mailbox:
        sent = mail.send(
            replace(keyed),
            QUOTE,
            quote_id,
            None,
            recipient="achats@martin.example",
            subject="Devis",
        )
    assert (sent.sending_id, sent.status, sent.message_id) == (
        "1",
        SendingStatus.SENT,
        failed.message_id,
    )
    assert [m["Message-ID"] for m in mailbox.messages] == [failed.message_id]
