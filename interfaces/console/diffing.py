"""Pure helpers of a document's timeline: what changed between two of its states, and
which versions were issued as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_CHANGES = 500


@dataclass(frozen=True)
class Change:
    """One field that differs between two states of a document (`path` in dotted form;
    list items by their `line_id`, `id`, `kind` or position)."""

    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        if self.before is _ABSENT:
            return "added"
        if self.after is _ABSENT:
            return "removed"
        return "changed"


class _Absent:
    def __repr__(self) -> str:
        return "—"

    def __str__(self) -> str:
        return "—"


_ABSENT: Any = _Absent()
_IDENTITIES = ("line_id", "id", "kind", "number", "bucket", "name")
_IGNORED = {"version", "updated_at"}  # they change with every event


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON value as {dotted path: scalar}; list items keyed by their identity."""
    if isinstance(value, dict):
        if not value and prefix:
            return {prefix: {}}
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(value, list):
        if not value:
            return {prefix: []}
        out = {}
        for index, item in enumerate(value):
            out |= flatten(item, f"{prefix}[{_identity(item, index)}]")
        return out
    return {prefix: value}


def _identity(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in _IDENTITIES:
            if isinstance(item.get(key), str | int) and item[key] != "":
                return f"{key}={item[key]}"
    return str(index)


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Every field that differs between two states, in the order of the later one."""
    old, new = flatten(before), flatten(after)
    found: list[Change] = []
    for path in [*new, *(p for p in old if p not in new)]:
        if path.split(".")[0].split("[")[0] in _IGNORED:
            continue
        was, now = old.get(path, _ABSENT), new.get(path, _ABSENT)
        if _blank(was) and _blank(now):
            continue  # e.g. `approval: null` that became `approval.at` … (listed on their own)
        if was != now:
            found.append(Change(path, was, now))
        if len(found) >= MAX_CHANGES:
            break
    return found


def _blank(value: Any) -> bool:
    return value is _ABSENT or value is None or value == {} or value == []


@dataclass(frozen=True)
class Edition:
    """A PDF the document's history says was issued at `version`."""

    version: int
    label: str
    params: dict[str, str]
    path: str


def editions(kind: str, history: list[dict[str, Any]]) -> dict[int, Edition]:
    """The issued PDFs of each version: a quote's revision when sent, an order's
    acknowledgement when confirmed or amended and its delivery notes, an invoice issued."""
    found: dict[int, Edition] = {}
    revision, amendments = 1, 0
    for event in history:
        version, kind_of = int(event["version"]), str(event["type"]).split(".")[-1]
        data = event.get("data") or {}
        if kind == "quote" and kind_of == "Revised":
            revision += 1
        elif kind == "quote" and kind_of == "Sent":
            found[version] = Edition(version, f"r{revision}", {"revision": str(revision)}, "pdf")
        elif kind == "order" and kind_of in ("Confirmed", "Amended"):
            amendments += kind_of == "Amended"
            params = {"amendment": str(amendments)}
            found[version] = Edition(version, f"a{amendments}", params, "acknowledgement.pdf")
        elif kind == "order" and kind_of == "DeliveryRecorded" and data.get("delivery_id"):
            delivery = str(data["delivery_id"])
            found[version] = Edition(version, delivery, {}, f"deliveries/{delivery}/pdf")
        elif kind == "invoice" and kind_of == "Issued":
            found[version] = Edition(version, str(data.get("number") or ""), {}, "pdf")
    return found
