"""What an API test of a command that issues an invoice needs: the company established
as the seller, and a customer to bill (contracts, service cases and affairs bill theirs)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from fastapi.testclient import TestClient

from tests.api.invoicing_support import establish_company

_CUSTOMERS: WeakKeyDictionary[TestClient, str] = WeakKeyDictionary()
ADDRESS = {"kind": "billing", "street": "1 rue de la Paix", "postal_code": "75002", "city": "Paris"}


def billable_customer(client: TestClient) -> str:
    """The client's customer, registered on first use with the company's settings."""
    known = _CUSTOMERS.get(client)
    if known is not None:
        return known
    establish_company(client)
    response = client.post("/customers", json={"name": "Martin SA"})
    assert response.status_code == 201, response.text
    customer_id: str = response.json()["id"]
    _CUSTOMERS[client] = customer_id
    return customer_id
