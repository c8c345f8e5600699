"""One diff format for every document (H2): what changed between two versions, as paths.

A diff compares the document's own read answer (`GET /{resource}/{id}?version=N`) at two
versions, so it covers everything a client reads — status, lines, deliveries, invoices,
payments, addresses — in the same number formats:

    {"from_version": 2, "to_version": 5,
     "changes": [{"path": "status", "change": "changed", "before": "draft", "after": "confirmed"},
                 {"path": "lines/L2", "change": "added", "before": null, "after": {...}},
                 {"path": "lines/L1/quantity", "change": "changed", "before": "3", "after": "5"}]}

A path names object keys and, in a list of records with an id (`line_id`, `id`,
`number` …), the record by that id; other lists are compared whole. Fields every new
version changes (`version`, `updated_at`) are left out.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

# The keys that identify a record in a list, most specific first.
ID_KEYS = (
    "line_id",
    "delivery_id",
    "return_id",
    "payment_id",
    "case_id",
    "point_id",
    "address_id",
    "action_id",
    "alert_id",
    "number",
    "id",
    "code",
    "reference",
    "period_index",
)
# Fields that change with every version: not changes of the document.
VOLATILE = frozenset({"version", "updated_at"})


class Change(BaseModel):
    """One value added, removed or changed, at its path in the document's read answer."""

    path: str = Field(description="Keys and record ids from the document's root, '/'-joined")
    change: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class DocumentDiff(BaseModel):
    """What differs between two versions of a document (H2)."""

    from_version: int
    to_version: int
    changes: list[Change]


def _identifies(key: str, items: list[Any]) -> bool:
    values = [item.get(key) for item in items]
    return all(v is not None for v in values) and len(set(map(str, values))) == len(values)


def _id_key(before: list[Any], after: list[Any]) -> str | None:
    """The key that identifies every record of both lists, if there is one."""
    items = [*before, *after]
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in ID_KEYS:
        if _identifies(key, before) and _identifies(key, after):
            return key
    return None


def changes_between(before: Any, after: Any, path: str = "") -> list[Change]:
    """The changes that turn `before` into `after` (JSON values), in document order."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[Change] = []
        for key in [*before, *(k for k in after if k not in before)]:
            if not path and key in VOLATILE:
                continue
            where = f"{path}/{key}" if path else str(key)
            if key not in after:
                found.append(Change(path=where, change="removed", before=before[key]))
            elif key not in before:
                found.append(Change(path=where, change="added", after=after[key]))
            else:
                found += changes_between(before[key], after[key], where)
        return found
    if isinstance(before, list) and isinstance(after, list):
        key = _id_key(before, after)
        if key is not None:
            old = {str(item[key]): item for item in before}
            new = {str(item[key]): item for item in after}
            return changes_between(old, new, path)
    return [Change(path=path, change="changed", before=before, after=after)]


def diff_of(
    before: BaseModel, after: BaseModel, from_version: int, to_version: int
) -> DocumentDiff:
    """The diff of two read answers of one document, as a client would read them."""
    old = before.model_dump(mode="json", by_alias=True)
    new = after.model_dump(mode="json", by_alias=True)
    return DocumentDiff(
        from_version=from_version, to_version=to_version, changes=changes_between(old, new)
    )
