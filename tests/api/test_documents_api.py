"""Printed documents over HTTP: the PDFs of invoices, quotes, acknowledgements and delivery
notes with their file names and hashes, the pro forma of a draft, what was issued for a
document, finding a file by its hash, and e-mailing one to a real SMTP server once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from application.app import Comptoir
from interfaces.document_jobs import in_process
from interfaces.http.app import create_app
from interfaces.scheduler import run_due_jobs
from interfaces.settings import Settings
from tests.api.support import as_role, assert_problem, issue_key
from tests.conftest import FrozenClock
from tests.integration.company_support import establish_company
from tests.integration.document_support import (
    confirmed_order,
    credit_note,
    customer,
    issued_invoice,
    pdf_text,
    sent_quote,
)
from tests.integration.mailbox import Mailbox, attachment_of, free_port, smtp_server

SENDER = "ventes@comptoir.example"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server() as mailbox:
        yield mailbox


def configured(settings: Settings, tmp_path: Path, **smtp: object) -> Settings:
    """Blobs under the test's directory; deliveries on the in-process queue the tests join
    (scripts/test exports COMPTOIR_REDIS_URL, where no worker of this test would read)."""
    update = {"blob_dir": tmp_path / "blobs", "redis_url": None, **smtp}
    return settings.model_copy(update=update)


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


def app_of(client: TestClient) -> Comptoir:
    app: Comptoir = client.app.state.services.app  # type: ignore[attr-defined]
    return app


def test_an_invoice_pdf_is_its_issued_factur_x_found_again_by_its_hash(
    client: TestClient,
) -> None:
    app = app_of(client)
    invoice_id = issued_invoice(app, customer(app))

    first = client.get(f"/invoices/{invoice_id}/pdf")
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == 'inline; filename="Facture-INV-2026-00001.pdf"'
    digest = hashlib.sha256(first.content).hexdigest()
    assert first.headers["X-Document-SHA256"] == digest
    assert first.headers["ETag"] == f'"{digest}"'
    assert first.headers["X-Document-Rendering"] == "issued"
    assert client.get(f"/invoices/{invoice_id}/pdf").content == first.content
    assert "Facture INV-2026-00001" in " ".join(pdf_text(first.content))

    xml = client.get(f"/invoices/{invoice_id}/factur-x.xml")
    assert xml.status_code == 200, xml.text
    assert xml.headers["content-type"].startswith("application/xml")
    assert b"INV-2026-00001" in xml.content

    record = client.get(f"/documents/invoice/{invoice_id}").json()
    assert [(e["edition"], e["sha256"], e["size"]) for e in record["editions"]] == [
        ("INV-2026-00001", digest, len(first.content))
    ]
    found = client.get(f"/documents/by-sha256/{digest}").json()
    assert found["issued_as"] == [
        {
            "kind": "invoice",
            "source_id": str(invoice_id),
            "edition": "INV-2026-00001",
            "rendered_at": record["editions"][0]["rendered_at"],
        }
    ]
    unknown = hashlib.sha256(b"a forged invoice").hexdigest()
    assert_problem(client.get(f"/documents/by-sha256/{unknown}"), 404, "not-found")


def test_the_scheduled_jobs_store_each_issued_invoice_and_credit_note_before_any_request(
    client: TestClient, clock: FrozenClock
) -> None:
    app = app_of(client)
    invoice_id = issued_invoice(app, customer(app))
    credit_id = credit_note(app, invoice_id)
    services = client.app.state.services  # type: ignore[attr-defined]
    services.views.wait_for(app.log_position(), timeout=30)
    printed_at = clock()
    reports = {r.job: r for r in run_due_jobs(app, services.views, printed_at)}
    assert (reports["print-issued"].done, reports["print-issued"].refused) == (2, [])

    for kind, document_id, edition in (
        ("invoice", invoice_id, "INV-2026-00001"),
        ("credit_note", credit_id, "CN-2026-00001"),
    ):
        record = client.get(f"/documents/{kind}/{document_id}").json()
        [stored] = record["editions"]
        assert stored["edition"] == edition
        assert stored["rendered_at"] == printed_at.isoformat().replace("+00:00", "Z")
        served = client.get(f"/invoices/{document_id}/pdf")  # a credit note's too
        assert served.headers["X-Document-Rendering"] == "issued"
        assert hashlib.sha256(served.content).hexdigest() == stored["sha256"]
    # a second run finds both printed and records nothing
    position = app.log_position()
    again = {r.job: r for r in run_due_jobs(app, services.views, printed_at)}["print-issued"]
    assert (again.done, again.unchanged) == (0, 2)
    assert app.log_position() == position


def test_a_draft_invoice_has_no_pdf_but_a_marked_pro_forma_on_request(
    client: TestClient,
) -> None:
    response = client.post(
        "/invoices",
        json={"customer_id": str(customer(app_of(client))), "operation": "services"},
        headers=as_role(client, "carla", "accountant"),
    )
    assert response.status_code == 201, response.text
    draft_id = response.json()["id"]

    assert_problem(client.get(f"/invoices/{draft_id}/pdf"), 409, "document-not-issued")
    assert_problem(
        client.get(f"/invoices/{draft_id}/pdf?render=current"), 409, "document-not-issued"
    )
    preview = client.get(f"/invoices/{draft_id}/pdf?preview=true")
    assert preview.status_code == 200, preview.text
    assert preview.headers["X-Document-Rendering"] == "preview"
    assert "PRO FORMA" in " ".join(pdf_text(preview.content))
    assert_problem(client.get(f"/documents/invoice/{draft_id}"), 404, "not-found")


def test_quotes_and_orders_print_their_editions_and_refuse_unknown_ones(
    client: TestClient,
) -> None:
    app = app_of(client)
    customer_id = customer(app)
    quote_id = sent_quote(app, customer_id)
    order_id = confirmed_order(app, customer_id)

    issued = client.get(f"/quotes/{quote_id}/pdf?revision=1")
    assert issued.status_code == 200, issued.text
    assert issued.headers["X-Document-Edition"] == "r1"
    name = issued.headers["content-disposition"]
    assert name.startswith('inline; filename="Devis-Q-')
    assert name.endswith('-r1.pdf"')
    current = client.get(f"/quotes/{quote_id}/pdf?render=current")
    assert current.headers["X-Document-Rendering"] == "current"
    assert current.headers["X-Template-Version"] == issued.headers["X-Template-Version"]
    assert current.content == issued.content  # same templates: the same bytes
    assert_problem(client.get(f"/quotes/{quote_id}/pdf?revision=9"), 404, "unknown-revision")

    acknowledgement = client.get(f"/orders/{order_id}/acknowledgement.pdf")
    assert acknowledgement.status_code == 200, acknowledgement.text
    assert acknowledgement.headers["X-Document-Edition"] == "a0"
    text = " ".join(pdf_text(acknowledgement.content))
    assert "Accusé de réception de commande" in text
    assert "Total TTC 13 140,00 €" in text
    note = client.get(f"/orders/{order_id}/deliveries/D1/pdf")
    assert note.status_code == 200, note.text
    assert "Bon de livraison" in " ".join(pdf_text(note.content))
    assert "8 quai des Docks" in " ".join(pdf_text(note.content))  # the delivery address
    assert_problem(client.get(f"/orders/{order_id}/deliveries/D9/pdf"), 404, "unknown-delivery")


def test_a_document_is_emailed_once_per_idempotency_key_with_the_issued_file(
    client: TestClient, mailbox: Mailbox
) -> None:
    quote_id = sent_quote(app_of(client), customer(app_of(client)))
    body = {"recipient": "achats@martin.example", "subject": "Votre devis", "reason": "relance"}
    key = {"Idempotency-Key": "send-1"}

    accepted = client.post(f"/documents/quote/{quote_id}/send", json=body, headers=key)
    assert accepted.status_code == 202, accepted.text
    url = f"/documents/quote/{quote_id}/sendings/1"
    assert accepted.headers["Location"] == accepted.json()["status_url"] == url
    assert accepted.json()["status"] in {"requested", "sent"}
    in_process(client.app.state.services).join()  # type: ignore[attr-defined]
    sending = client.get(url).json()
    assert (sending["status"], sending["recipient"], sending["subject"]) == (
        "sent",
        "achats@martin.example",
        "Votre devis",
    )
    again = client.post(f"/documents/quote/{quote_id}/send", json=body, headers=key)
    assert again.status_code == 200, again.text  # sent already: nothing queued
    assert again.json() == sending | {"status_url": url}
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["Message-ID"] == sending["message_id"]
    assert message["From"] == SENDER
    _name, attachment = attachment_of(message)
    assert hashlib.sha256(attachment).hexdigest() == sending["sha256"]
    assert client.get(f"/quotes/{quote_id}/pdf").content == attachment
    record = client.get(f"/documents/quote/{quote_id}").json()
    assert [s["sending_id"] for s in record["sendings"]] == ["1"]
    assert_problem(client.get(f"/documents/quote/{quote_id}/sendings/2"), 404, "unknown-sending")

    bad = {"recipient": "achats@martin.example\r\nBcc: all@example.org"}
    assert_problem(
        client.post(f"/documents/quote/{quote_id}/send", json=bad), 422, "invalid-recipient"
    )
    auditor = as_role(client, "otto", "auditor")
    refused = client.post(f"/documents/quote/{quote_id}/send", json=body, headers=auditor)
    assert_problem(refused, 403, "forbidden")
    assert len(mailbox.messages) == 1


def test_a_sending_waited_for_answers_sent_or_the_servers_refusal(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there at first
    config = configured(settings, tmp_path, smtp_host="127.0.0.1", smtp_port=port)
    with TestClient(create_app(config, clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        establish_company(app_of(client))
        quote_id = sent_quote(app_of(client), customer(app_of(client)))
        body = {"recipient": "achats@martin.example"}
        send = f"/documents/quote/{quote_id}/send?wait=true"
        refused = client.post(send, json=body, headers={"Idempotency-Key": "w-1"})
        assert_problem(refused, 502, "mail-not-delivered")
        failed = client.get(f"/documents/quote/{quote_id}/sendings/1").json()
        assert failed["status"] == "failed"
        assert "did not take the message" in failed["failure"]
        with smtp_server(port) as mailbox:
            sent = client.post(send, json=body, headers={"Idempotency-Key": "w-1"})
        assert sent.status_code == 200, sent.text
        assert (sent.json()["sending_id"], sent.json()["status"]) == ("1", "sent")
        assert [m["Message-ID"] for m in mailbox.messages] == [failed["message_id"]]


def test_sending_is_refused_while_no_smtp_server_is_configured(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    with TestClient(create_app(configured(settings, tmp_path), clock)) as client:
        client.headers["X-API-Key"] = issue_key(client, "alice", "sales")
        establish_company(app_of(client))
        quote_id = sent_quote(app_of(client), customer(app_of(client)))
        response = client.post(
            f"/documents/quote/{quote_id}/send", json={"recipient": "achats@martin.example"}
        )
        assert_problem(response, 503, "mail-not-configured")
        assert_problem(client.get(f"/documents/quote/{quote_id}"), 404, "not-found")
