"""JSON transcodings for the domain's value objects, found by scanning `domain`.

Every frozen dataclass and enum defined at module level in a `domain` module is
registered, so events and snapshots may hold value objects without hand-written
transcoders. Enums that subclass `str` are written as their value by the JSON
encoder itself, so state compares them with `==`, never `is`.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoder,
    Transcoding,
    UUIDAsHex,
)

import domain


class DateAsISO(Transcoding):
    """A calendar date as `YYYY-MM-DD`."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass as the dict of its fields."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = f"{cls.__module__}:{cls.__qualname__}"

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class EnumAsValue(Transcoding):
    """A non-str enum as its value."""

    def __init__(self, cls: type[Enum]) -> None:
        self.type = cls
        self.name = f"{cls.__module__}:{cls.__qualname__}"

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


def domain_value_types() -> list[type[Any]]:
    """Module-level dataclasses and enums of the domain package, events excluded."""
    found: list[type[Any]] = []
    for info in pkgutil.iter_modules(domain.__path__, prefix="domain."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if issubclass(value, (Aggregate, CanMutateAggregate)):
                continue
            if dataclasses.is_dataclass(value) or issubclass(value, Enum):
                found.append(value)
    return found


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach a JSON transcoder every type the domain's events and snapshots hold."""
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    for cls in domain_value_types():
        if dataclasses.is_dataclass(cls):
            transcoder.register(DataclassAsDict(cls))
        elif issubclass(cls, Enum) and not issubclass(cls, str):
            transcoder.register(EnumAsValue(cls))


def domain_transcoder() -> Transcoder:
    """A JSON transcoder that knows the domain's types."""
    transcoder = JSONTranscoder()
    register_domain_transcodings(transcoder)
    return transcoder
