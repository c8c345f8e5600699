"""Commands that also write a document shared by many (a customer's invoice index) never
refuse each other: a command whose shared document moved meanwhile is built again (a
change to the very document acted on stays a 409, tested with each document's API)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from uuid import UUID

import pytest

from application.app import Comptoir
from domain.invoice_index import CustomerInvoices, index_id
from domain.invoice_terms import InvoiceDetails, OperationCategory
from interfaces.settings import Settings
from tests.integration.company_support import establish_company
from tests.integration.test_invoice_commands import ctx, customer


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    establish_company(app)
    yield app
    app.close()


def test_drafts_for_one_customer_at_once_are_all_listed_in_its_index(app: Comptoir) -> None:
    customer_id = customer(app)
    threads_count, rounds = 6, 4
    barrier = threading.Barrier(threads_count)
    drafted: list[UUID] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def drafter() -> None:
        for _ in range(rounds):
            barrier.wait(timeout=30)
            try:
                details = InvoiceDetails(OperationCategory.SERVICES)
                result = app.invoices.draft(ctx(), customer_id=customer_id, details=details)
            except Exception as error:  # reported below
                with lock:
                    failures.append(error)
            else:
                with lock:
                    drafted.append(result.aggregate_id)

    threads = [threading.Thread(target=drafter) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    index = app.runner.load(CustomerInvoices, index_id(customer_id))
    assert sorted(index.invoice_ids) == sorted(drafted)
    assert len(drafted) == threads_count * rounds
