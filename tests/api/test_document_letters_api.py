"""Dunning letters and quote reminders over HTTP: the letter of each level about an
overdue invoice (amount due, days overdue, penalties, the €40 indemnity, how to pay),
issued once and e-mailed; a quote reminder e-mails the quote as sent and records Q11."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.invoice import Invoice
from interfaces.document_jobs import in_process
from interfaces.http.app import create_app
from interfaces.settings import Settings
from tests.api.support import assert_problem, issue_key
from tests.api.test_documents_api import SENDER, app_of, configured
from tests.conftest import FrozenClock
from tests.integration.company_support import establish_company
from tests.integration.document_support import customer, issued_invoice, pdf_text, sent_quote
from tests.integration.mailbox import Mailbox, attachment_of, smtp_server

OVERDUE_SINCE = date(2026, 10, 1)  # issued 1 September at 30 days net; today 2 November


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


@pytest.fixture
def client(
    settings: Settings, clock: FrozenClock, tmp_path: Path, mailbox: Mailbox
) -> Iterator[TestClient]:
    """alice (sales), the company established, e-mail going to the test's SMTP server."""
    config = configured(
        settings, tmp_path, smtp_host="127.0.0.1", smtp_port=mailbox.port, smtp_from=SENDER
    )
    with TestClient(create_app(config, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        establish_company(app_of(client))
        yield client


def letter(client: TestClient, invoice_id: UUID, level: int, **query: str) -> str:
    response = client.get(
        f"/invoices/{invoice_id}/dunning-letter.pdf", params={"level": level, **query}
    )
    assert response.status_code == 200, response.text
    return words(response.content)


def words(pdf: bytes) -> str:
    """The PDF's text, its lines joined by single spaces."""
    return " ".join(" ".join(pdf_text(pdf)).split())


def test_an_overdue_invoice_has_a_letter_per_level_issued_once_and_emailed(
    client: TestClient, mailbox: Mailbox
) -> None:
    app = app_of(client)
    invoice_id = issued_invoice(app, customer(app), issue_date=date(2026, 9, 1))
    invoice: Invoice = app.repository.get(invoice_id)
    assert isinstance(invoice, Invoice)
    assert invoice.due_date == OVERDUE_SINCE
    # 3 × 1 234,56 € at 20 %, 2 × 45 € at 5,5 %, 900 € exempt, nothing paid
    due = Decimal("3703.68") + Decimal("740.74") + Decimal("90.00") + Decimal("4.95") + 900
    assert invoice.amount_due == due

    first = client.get(f"/invoices/{invoice_id}/dunning-letter.pdf")
    assert first.status_code == 200, first.text
    name = f"Relance-{invoice.number}-niveau-1.pdf"
    assert first.headers["Content-Disposition"] == f'inline; filename="{name}"'
    text = words(first.content)
    for expected in (
        "Rappel de paiement",
        f"facture n° {invoice.number}",
        "1 septembre 2026",
        "1 octobre 2026",
        "32 jours de retard",
        "Reste dû 5 439,37 €",
        "Pénalités de retard : taux annuel de 12,5 %",
        "40,00 €",
        "IBAN FR14 2004 1010 0505 0001 3M02 606",
    ):
        assert expected in text, expected
    assert client.get(f"/invoices/{invoice_id}/dunning-letter.pdf?level=1").content == (
        first.content
    )
    formal = letter(client, invoice_id, 3)
    assert "Mise en demeure de payer" in formal
    assert "nous vous mettons en demeure" in formal
    assert "Rappel de paiement" not in formal

    sent = client.post(
        f"/documents/dunning_letter/{invoice_id}/send?wait=true",
        json={"recipient": "compta@martin.example", "edition": "L3"},
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "sent"
    (message,) = mailbox.messages
    assert message["Subject"] == f"Mise en demeure de payer {invoice.number}-R3"
    file_name, data = attachment_of(message)
    assert file_name == f"Relance-{invoice.number}-niveau-3.pdf"
    assert hashlib.sha256(data).hexdigest() == sent.json()["sha256"]
    editions = client.get(f"/documents/dunning_letter/{invoice_id}").json()["editions"]
    assert [e["edition"] for e in editions] == ["L1", "L3"]


def test_a_letter_about_an_invoice_not_yet_overdue_is_only_a_marked_preview(
    client: TestClient,
) -> None:
    app = app_of(client)
    invoice_id = issued_invoice(app, customer(app))  # due 29 November
    refused = client.get(f"/invoices/{invoice_id}/dunning-letter.pdf")
    assert_problem(refused, 409, "document-not-issued")
    assert "PROJET" in letter(client, invoice_id, 1, preview="true")
    assert_problem(client.get(f"/documents/dunning_letter/{invoice_id}"), 404, "not-found")
    assert client.get(f"/invoices/{invoice_id}/dunning-letter.pdf?level=0").status_code == 422


def test_a_quote_reminder_emails_the_quote_as_sent_and_records_the_reminder(
    client: TestClient, mailbox: Mailbox
) -> None:
    app = app_of(client)
    quote_id = sent_quote(app, customer(app))
    key = {"Idempotency-Key": "remind-1"}
    body = {"recipient": "achats@martin.example", "note": "relance à J+15"}
    accepted = client.post(f"/quotes/{quote_id}/reminders/send", json=body, headers=key)
    assert accepted.status_code == 202, accepted.text
    in_process(client.app.state.services).join()  # type: ignore[attr-defined]
    again = client.post(f"/quotes/{quote_id}/reminders/send", json=body, headers=key)
    assert again.status_code == 200, again.text  # the same sending, already sent

    (message,) = mailbox.messages
    pdf = client.get(f"/quotes/{quote_id}/pdf")
    reference = pdf.headers["X-Document-Edition"]
    assert reference == "r1"
    assert message["Subject"].startswith("Relance : Devis ")
    text = message.get_body(("plain",))
    assert text is not None
    assert "Nous revenons vers vous au sujet de notre Devis" in text.get_content()
    _name, data = attachment_of(message)
    assert data == pdf.content
    quote = client.get(f"/quotes/{quote_id}").json()
    assert quote["reminders_recorded"] == 1
    assert client.get(accepted.json()["status_url"]).json()["status"] == "sent"
