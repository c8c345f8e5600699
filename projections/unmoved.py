"""Which events leave a view's rows as they were: the projector skips those states.

Most of an affair's events are its figures: time logged, costs, revenue, progress,
budget lines and baselines, rates, alerts (about half the log). The stage history, the
actions and who holds the affair read none of those fields, so their rows after such an
event are the rows before it. A view lists those event types in `unmoved_by`; the
runner then neither computes its rows for that state nor records a new history interval
(the open one goes on, as the answers as of any time are the same), and the rows keep
the `position` of the last event that could change them.

The documents' bound (`projections.documents`: the lowest position a document's rows
carry, which lets a batch's writes skip older row groups) moves only with an event no
view skips. `tests/unit/test_unmoved_views.py` folds a generated company and checks,
state by state, that every skipped state's rows equal the rows before it.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.affair import Affair
from projections.base import DocumentView

# An affair's figures: none of them is a stage, an action, a party or a salesperson.
AFFAIR_FIGURES: frozenset[type] = frozenset(
    {
        Affair.TimeLogged,
        Affair.CostRecorded,
        Affair.CommittedCostReceived,
        Affair.RevenueRecorded,
        Affair.EntriesInvoiced,
        Affair.ProgressReported,  # type: ignore[attr-defined]
        Affair.BudgetLineSet,  # type: ignore[attr-defined]
        Affair.BudgetBaselined,  # type: ignore[attr-defined]
        Affair.HourlyRateChanged,  # type: ignore[attr-defined]
        Affair.AlertRaised,  # type: ignore[attr-defined]
        Affair.AlertClosed,  # type: ignore[attr-defined]
    }
)

# ... and an affair's actions (to-dos, calls) are neither its stages nor its parties.
AFFAIR_FIGURES_AND_ACTIONS: frozenset[type] = AFFAIR_FIGURES | {
    Affair.ActionRecorded,  # type: ignore[attr-defined]
    Affair.ActionCompleted,  # type: ignore[attr-defined]
}


def unmoved_by(view: DocumentView) -> frozenset[type]:
    """The event types after which the view's rows stay as they were (none by default)."""
    found: frozenset[type] = getattr(view, "unmoved_by", frozenset())
    return found


def skipped_by_some(views: Iterable[DocumentView]) -> frozenset[type]:
    """The event types some view skips: after one, not every row carries its position."""
    return frozenset().union(*(unmoved_by(v) for v in views))
