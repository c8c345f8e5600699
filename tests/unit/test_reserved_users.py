"""The actors the software records as itself can never hold a key (issue 13, finding 12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.bulk.importer import IMPORT_ACTOR
from application.jobs import JOB_ACTOR
from domain.access import RESERVED_USERS, ApiKey
from domain.errors import InvalidInput

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_every_actor_the_software_records_as_itself_is_reserved() -> None:
    assert {"system", JOB_ACTOR, IMPORT_ACTOR} <= RESERVED_USERS


@pytest.mark.parametrize("user", ["system", "SYSTEM", " scheduler", "Bulk-Import"])
def test_a_key_for_a_reserved_user_is_refused(user: str) -> None:
    with pytest.raises(InvalidInput, match="reserved"):
        ApiKey.issue(at=AT, user=user, roles=["admin"], key_hash="h")


def test_a_key_for_a_person_is_issued() -> None:
    assert ApiKey.issue(at=AT, user="systems-team", roles=["admin"], key_hash="h").user
