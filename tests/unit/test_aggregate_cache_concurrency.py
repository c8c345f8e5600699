"""The aggregate cache under contention: a load never sees a document being fast-forwarded.

Many threads load and change one quote at once through an application with the cache
on (as in production). The library deep-copies the cached quote outside the lock that
fast-forwards it, so a copy could iterate the lines while another thread adds one:
`RuntimeError: dictionary changed size during iteration`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from application.app import Comptoir
from application.errors import ConcurrentUpdate
from application.journal import CommandContext
from application.repository import LockedCacheRepository
from interfaces.settings import Settings

THREADS = 16
ROUNDS = 40
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def tight_switching() -> Iterator[None]:
    """Switch threads often, so a deep copy is interrupted mid-way as under load."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def cached_app(tmp_path: Path) -> Comptoir:
    settings = Settings(event_store="memory", aggregate_cache_size=100, duckdb_path=tmp_path / "v")
    return Comptoir(settings.eventstore_env())


def test_the_application_loads_documents_through_the_locked_cache(tmp_path: Path) -> None:
    app = cached_app(tmp_path)
    assert isinstance(app.repository, LockedCacheRepository)
    assert app.repository.cache is not None


def test_loading_one_quote_while_others_change_it_never_breaks_a_copy(
    tmp_path: Path, tight_switching: None
) -> None:
    app = cached_app(tmp_path)
    ctx = CommandContext(actor="sales", at=AT)
    quote = app.quotes.draft(ctx, currency="EUR", prospect="Contended").aggregate_id
    for n in range(30):  # a long document: copying it takes a while
        app.quotes.add_line(
            ctx,
            quote,
            description=f"seed {n}",
            quantity=Decimal(1),
            unit_price=Decimal(10),
            vat_rate=Decimal(20),
        )
    errors: list[BaseException] = []
    added: list[str] = []
    start = threading.Barrier(THREADS)

    def client(number: int) -> None:
        start.wait()
        for i in range(ROUNDS):
            try:
                if i % 2:
                    app.quotes.get(quote)
                    continue
                description = f"c{number}-{i}"
                app.quotes.add_line(
                    CommandContext(actor="sales", at=AT),
                    quote,
                    description=description,
                    quantity=Decimal(1),
                    unit_price=Decimal(10),
                    vat_rate=Decimal(20),
                )
                added.append(description)
            except ConcurrentUpdate:
                continue
            except BaseException as error:  # the failure under test, kept for the assert
                errors.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [repr(e) for e in errors] == []
    lines = {line.description for line in app.quotes.get(quote).lines.values()}
    assert set(added) <= lines
    assert len(lines) == 30 + len(added)
