"""The console's pure parts: the diff of two document states, the PDFs a history says
were issued, the reader's language, the last check kept on disk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from interfaces.console.diffing import changes, editions
from interfaces.console.i18n import accepted
from interfaces.console.last_check import Checked, last_check_path, load_check, save_check


def test_a_diff_names_each_changed_field_and_keys_lines_by_their_id() -> None:
    before = {"version": 4, "lines": [{"line_id": "1", "quantity": "2"}], "approval": None}
    after = {
        "version": 8,
        "lines": [{"line_id": "1", "quantity": "3"}, {"line_id": "2", "quantity": "1"}],
        "approval": {"by": "maud"},
    }
    found = [(c.path, c.kind, c.before, c.after) for c in changes(before, after)]
    assert found == [
        ("lines[line_id=1].quantity", "changed", "2", "3"),
        ("lines[line_id=2].line_id", "added", found[1][2], "2"),
        ("lines[line_id=2].quantity", "added", found[2][2], "1"),
        ("approval.by", "added", found[3][2], "maud"),
    ]


def test_two_equal_states_have_no_difference() -> None:
    state = {"lines": [], "totals": {"net": "1.00"}, "approval": None}
    assert changes(state, dict(state)) == []


def test_the_history_says_which_versions_were_issued_as_a_pdf() -> None:
    quote = [
        {"version": 1, "type": "Quote.Drafted"},
        {"version": 2, "type": "Quote.Sent"},
        {"version": 3, "type": "Quote.Revised"},
        {"version": 4, "type": "Quote.Sent"},
    ]
    assert {v: (e.label, e.params) for v, e in editions("quote", quote).items()} == {
        2: ("r1", {"revision": "1"}),
        4: ("r2", {"revision": "2"}),
    }
    order = [
        {"version": 2, "type": "Order.Confirmed"},
        {"version": 3, "type": "Order.Amended"},
        {"version": 4, "type": "Order.DeliveryRecorded", "data": {"delivery_id": "BL-1"}},
    ]
    found = {v: (e.path, e.params) for v, e in editions("order", order).items()}
    assert found == {
        2: ("acknowledgement.pdf", {"amendment": "0"}),
        3: ("acknowledgement.pdf", {"amendment": "1"}),
        4: ("deliveries/BL-1/pdf", {}),
    }
    assert list(editions("affair", quote)) == []


def test_the_language_is_the_browsers_best_of_french_and_english() -> None:
    assert accepted("en-GB,en;q=0.9,fr;q=0.8") == "en"
    assert accepted("de-DE,fr;q=0.5,en;q=0.7") == "en"
    assert accepted("de-DE") == "fr"
    assert accepted("") == "fr"
    assert accepted("en;q=0,fr;q=0.1") == "fr"


def test_the_last_check_is_read_back_as_written_and_an_unreadable_file_is_no_check(
    tmp_path: Path,
) -> None:
    kept = last_check_path(tmp_path / "views.duckdb")
    assert load_check(kept) is None
    checked = Checked(datetime(2026, 12, 4, 9, 30, tzinfo=UTC), "audrey", False, "x", "y")
    save_check(kept, checked)
    assert load_check(kept) == checked
    assert [p.name for p in tmp_path.iterdir()] == [kept.name]  # no temporary file left
    kept.write_text('{"at": "2026-12-04T09:30:00+00:00", "by": "aud')  # cut short
    assert load_check(kept) is None
