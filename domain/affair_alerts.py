"""When an affair raises an alert or refuses (A6): a document dated outside its period, a
purchase above its purchases budget.

Each function returns the issues to record as alerts when the policy is informative and
raises the named error when it is blocking (`DateOutsideAffairPeriod` is checked before
`BudgetExceeded` by the verbs). A correction (a negative amount: an order amended down,
a credit note) is never refused for its date, whatever the policy, since it undoes what
was recorded: one outside the period raises an alert instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from domain.affair_fields import AlertKind, AlertPolicy
from domain.budget import BudgetCategory
from domain.errors import BudgetExceeded, DateOutsideAffairPeriod

Issues = list[tuple[AlertKind, str]]


def date_issues(
    start: date | None,
    end: date | None,
    policy: AlertPolicy,
    day: date,
    what: str,
    *,
    correction: bool = False,
) -> Issues:
    """A date alert when `day` falls outside [start, end] (either bound optional)."""
    if (start is None or start <= day) and (end is None or day <= end):
        return []
    message = f"{what} dated {day} is outside the affair period {start}–{end}"
    if policy == AlertPolicy.BLOCKING and not correction:
        raise DateOutsideAffairPeriod(message)
    return [(AlertKind.DATE, message)]


def budget_issues(
    budget: Mapping[str, Decimal],
    actual: Mapping[str, Decimal],
    committed: Mapping[str, Decimal],
    policy: AlertPolicy,
    amount: Decimal,
) -> Issues:
    """A budget alert when a purchase would take purchases above their budget line."""
    line = budget.get(BudgetCategory.PURCHASES)
    spent = actual[BudgetCategory.PURCHASES] + committed[BudgetCategory.PURCHASES]
    if line is None or spent + amount <= line:
        return []
    message = f"purchases would reach {spent + amount} for a budget of {line}"
    if policy == AlertPolicy.BLOCKING:
        raise BudgetExceeded(message)
    return [(AlertKind.BUDGET, message)]
