"""The seller's settings that invoice and payment API tests establish before issuing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.support import as_role

COMPANY: dict[str, Any] = {
    "legal_name": "Comptoir Lyonnais SAS",
    "legal_form": "SAS",
    "siren": "732 829 320",
    "vat_number": "FR 44 732 829 320",
    "registration": {"register": "RCS", "city": "Lyon"},
    "share_capital": {"amount": "10000", "currency": "EUR"},
    "address": {"street": "12 rue de la République", "postal_code": "69002", "city": "Lyon"},
    "iban": "FR14 2004 1010 0505 0001 3M02 606",
    "bic": "PSSTFRPPLIL",
    "late_payment_rate": "12.5",
    "footer": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
    "effective_on": "2020-01-01",
}


def establish_company(client: TestClient) -> None:
    """PUT /company as a manager."""
    response = client.put("/company", json=COMPANY, headers=as_role(client, "maud", "manager"))
    assert response.status_code == 201, response.text
