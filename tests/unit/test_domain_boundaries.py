"""The domain is pure: it imports only the standard library, eventsourcing.domain and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
ALLOWED_THIRD_PARTY = {"eventsourcing.domain"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def is_allowed(module: str) -> bool:
    top = module.split(".")[0]
    return (
        top in sys.stdlib_module_names
        or top == "__future__"
        or top == "domain"
        or module in ALLOWED_THIRD_PARTY
    )


def test_every_domain_module_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    offenders = {
        f"{path.name}: {module}"
        for path in sorted(DOMAIN.glob("*.py"))
        for module in imported_modules(path)
        if not is_allowed(module)
    }
    assert offenders == set()


def test_the_boundary_check_would_catch_a_forbidden_import() -> None:
    assert not is_allowed("duckdb")
    assert not is_allowed("eventsourcing.application")
    assert not is_allowed("application.app")
    assert is_allowed("eventsourcing.domain")
    assert is_allowed("decimal")


def test_the_domain_never_reads_the_clock() -> None:
    clock_reads = {
        f"{path.name}:{node.lineno}"
        for path in sorted(DOMAIN.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr in {"now", "today", "utcnow", "time"}
        and isinstance(node.value, ast.Name)
        and node.value.id in {"datetime", "date", "time"}
    }
    assert clock_reads == set()
