"""JSON transcodings for the domain's value objects, found by scanning `domain`.

Every frozen dataclass and enum defined at module level in a `domain` module is
registered, so events and snapshots may hold value objects without hand-written
transcoders. Enums that subclass `str` are written as their value by the JSON
encoder itself, so state compares them with `==`, never `is`.

`OrjsonTranscoder` writes and reads the library's `JSONTranscoder` format
(`{"_type_": name, "_data_": ...}` for every registered type) with orjson, so stored
events, snapshots and document states are interchangeable between the two.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import pkgutil
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from operator import attrgetter
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import Aggregate, CanMutateAggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
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
        self.fields = tuple(f.name for f in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.fields}

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


# Transcodings whose encoded form is a string, called directly to save a method call.
_LEAF_ENCODERS: dict[type[Transcoding], Callable[[Any], str]] = {
    UUIDAsHex: attrgetter("hex"),
    DecimalAsStr: str,
    DatetimeAsISO: datetime.isoformat,
    DateAsISO: date.isoformat,
}
_LEAF_DECODERS: dict[type[Transcoding], Callable[[Any], Any]] = {
    UUIDAsHex: UUID,
    DecimalAsStr: Decimal,
    DatetimeAsISO: datetime.fromisoformat,
    DateAsISO: date.fromisoformat,
}


class OrjsonTranscoder(JSONTranscoder):
    """The library's JSON format, written and read with orjson.

    orjson writes UUIDs, dates, dataclasses and enums its own way, so the object is
    first turned into plain JSON values with the registered transcodings, checking
    types in the standard library encoder's order (a `str` enum stays a string).
    Whatever orjson cannot write or read as the standard library does (integers
    beyond 64 bits, NaN and infinities) goes through the library's encoder instead.
    """

    def __init__(self) -> None:
        super().__init__()
        self._encoders: dict[type[Any], Callable[[Any], Any]] = {}
        self._decoders: dict[str, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        name = transcoding.name
        leaf = _LEAF_ENCODERS.get(type(transcoding))
        encode: Callable[[Any], Any] = transcoding.encode
        if leaf is not None:
            self._encoders[transcoding.type] = lambda obj: {"_type_": name, "_data_": leaf(obj)}
        elif not issubclass(transcoding.type, _NATIVE):
            # the standard library never hands a subclass of a JSON type to a transcoding
            plain = self._plain
            self._encoders[transcoding.type] = lambda obj: {
                "_type_": name,
                "_data_": plain(encode(obj)),
            }
        self._decoders[name] = _LEAF_DECODERS.get(type(transcoding), transcoding.decode)

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._plain(obj))
        except (_NotPlain, orjson.JSONEncodeError):
            return super().encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        if type(obj) is dict or type(obj) is list:
            return self._restore(obj)
        return obj

    def _plain(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _SCALARS:
            return obj
        encoder = self._encoders.get(kind)
        if encoder is not None:
            return encoder(obj)
        if kind is dict:
            plain = self._plain
            return {
                k if type(k) is str else _key(k): v if type(v) in _SCALARS else plain(v)
                for k, v in obj.items()
            }
        if kind is list or kind is tuple:
            return [self._plain(v) for v in obj]
        if isinstance(obj, str):
            return str.__str__(obj)  # the characters, as the standard library writes them
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            if not math.isfinite(obj):
                raise _NotPlain
            return float(obj)
        if isinstance(obj, list | tuple):
            return [self._plain(v) for v in obj]
        if isinstance(obj, dict):
            return {_key(k): self._plain(v) for k, v in obj.items()}
        return self._encode_obj(obj)  # raises TranscodingNotRegisteredError

    def _restore(self, obj: Any) -> Any:
        # Innermost first, as the standard library's object hook sees them.
        items = enumerate(obj) if type(obj) is list else obj.items()
        for key, value in items:
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and "_type_" in value and "_data_" in value:
                    data = value["_data_"]
                    if type(data) is dict or type(data) is list:
                        data = self._restore(data)
                    obj[key] = self._decoder(value["_type_"])(data)
                else:
                    obj[key] = self._restore(value)
            elif kind is list:
                obj[key] = self._restore(value)
        if type(obj) is dict and len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            return self._decoder(obj["_type_"])(obj["_data_"])
        return obj

    def _decoder(self, name: str) -> Callable[[Any], Any]:
        try:
            return self._decoders[name]
        except KeyError:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. "
                "Please register a custom transcoding for this type."
            ) from None


_SCALARS = frozenset({str, int, bool, type(None)})
_NATIVE = (str, int, float, list, tuple, dict)


class _NotPlain(Exception):
    """A value orjson would write differently from the standard library."""


def _key(key: Any) -> str:
    """A dict key as the standard library's encoder writes it."""
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, float):
        if not math.isfinite(key):
            raise _NotPlain
        return float.__repr__(key)
    if key is True or key is False or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


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
    transcoder = OrjsonTranscoder()
    register_domain_transcodings(transcoder)
    return transcoder
