"""`WrittenElsewhere`: documents found behind the log, read anew for a while, at most N."""

from __future__ import annotations

from uuid import uuid4

from application.trusted_reads import WrittenElsewhere


def test_a_marked_document_is_held_for_its_window_then_trusted_again() -> None:
    held, expired = WrittenElsewhere(seconds=60), WrittenElsewhere(seconds=0)
    document = uuid4()
    held.mark([document])
    expired.mark([document])
    assert document in held
    assert document not in expired
    assert uuid4() not in held


def test_only_the_latest_marks_are_kept() -> None:
    marks = WrittenElsewhere(seconds=60, size=3)
    first, *others = [uuid4() for _ in range(4)]
    marks.mark([first])
    marks.mark(others)
    assert first not in marks
    assert all(document in marks for document in others)
    marks.mark([others[0]])  # marked again: the most recent
    marks.mark([first])
    assert others[0] in marks
    assert others[1] not in marks
