"""A read-model file written by a version whose tables had other columns is folded again
from the log when it is opened, instead of leaving the projector failing on every batch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from application.app import Comptoir
from domain.contract import ContractLine
from domain.periods import Frequency
from interfaces.settings import Settings
from projections.runner import ProjectionRunner
from tests.integration.test_invoice_commands import ctx
from tests.integration.test_view_budget import budgeted_affair


@pytest.fixture
def app(settings: Settings) -> Iterator[Comptoir]:
    app = Comptoir(settings.eventstore_env())
    yield app
    app.close()


def projected(app: Comptoir, path: Path) -> ProjectionRunner:
    """The views of `app` folded into the file at `path`."""
    runner = ProjectionRunner(app, duckdb.connect(str(path)))
    runner.catch_up()
    return runner


def folded_again(app: Comptoir, path: Path) -> ProjectionRunner:
    """The file at `path` opened again: found outdated, it is folded from the log's start."""
    reopened = ProjectionRunner(app, duckdb.connect(str(path)))
    assert reopened.position == 0
    reopened.catch_up()
    return reopened


def customers(runner: ProjectionRunner) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = runner.cursor.execute(
        "SELECT customer_id, name, vat_number FROM customers ORDER BY name"
    ).fetchall()
    return rows


def test_a_file_with_an_old_table_shape_is_rebuilt_from_the_log(
    app: Comptoir, tmp_path: Path
) -> None:
    for name in ("Martin SA", "Durand SARL"):
        app.customers.register(ctx(), name=name, vat_number="FR40303265045")
    path = tmp_path / "views.duckdb"
    runner = projected(app, path)
    before = customers(runner)
    assert len(before) == 2
    # as an earlier version left it: a column it did not have, a column since renamed
    runner.cursor.execute("ALTER TABLE customers DROP COLUMN legal_name")
    runner.cursor.execute("ALTER TABLE customers ADD COLUMN obsolete VARCHAR")
    runner.cursor.close()

    reopened = folded_again(app, path)
    assert reopened.position == app.log_position()
    assert customers(reopened) == before
    columns = [r[0] for r in reopened.cursor.execute("DESCRIBE customers").fetchall()]
    assert "legal_name" in columns
    assert "obsolete" not in columns


def test_a_file_of_the_same_shape_keeps_its_position(app: Comptoir, tmp_path: Path) -> None:
    app.customers.register(ctx(), name="Martin SA", vat_number="FR40303265045")
    path = tmp_path / "views.duckdb"
    runner = projected(app, path)
    runner.cursor.close()
    reopened = ProjectionRunner(app, duckdb.connect(str(path)))
    assert reopened.position == app.log_position() > 0


def test_a_file_without_a_view_added_since_is_rebuilt_with_it(
    app: Comptoir, tmp_path: Path
) -> None:
    customer = app.customers.register(ctx(), name="Martin SA").aggregate_id
    contract = app.contracts.sign(
        ctx(),
        customer_id=customer,
        currency="EUR",
        lines=[ContractLine("Maintenance", Decimal(1), Decimal("100.00"), Decimal(20))],
        frequency=Frequency.MONTH,
        start=date(2026, 1, 1),
    ).aggregate_id
    app.contracts.suspend(ctx(), contract, reason="works")
    path = tmp_path / "views.duckdb"
    runner = projected(app, path)
    # as a version before the view existed left the file: folded, without its table
    runner.cursor.execute("DROP TABLE contract_suspensions")
    runner.cursor.execute("DROP TABLE contract_suspensions_history")
    runner.cursor.close()

    reopened = folded_again(app, path)
    found = reopened.cursor.execute("SELECT contract_id FROM contract_suspensions").fetchall()
    assert found == [(str(contract),)]


def test_a_file_with_the_budget_history_by_category_is_rebuilt_with_one_row_a_state(
    app: Comptoir, tmp_path: Path
) -> None:
    budgeted_affair(app)
    path = tmp_path / "views.duckdb"
    runner = projected(app, path)
    served = "SELECT category, budget FROM budget_vs_actual ORDER BY line"
    before = runner.cursor.execute(served).fetchall()
    # as versions that kept the budget's history by category left the file
    runner.cursor.execute("DROP TABLE budget_figures_history")
    runner.cursor.execute("CREATE TABLE budget_vs_actual_history (affair_id VARCHAR)")
    runner.cursor.close()

    reopened = folded_again(app, path)
    assert reopened.cursor.execute(served).fetchall() == before
    assert ("purchases", Decimal("1000.00")) in before
    tables = reopened.cursor.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'budget%'"
        " ORDER BY table_name"
    ).fetchall()
    assert tables == [("budget_figures_history",), ("budget_vs_actual",)]
