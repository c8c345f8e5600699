"""The orjson transcoder writes and reads exactly what the library's JSON transcoder does."""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

from adapters.bulk.generator import generate
from adapters.transcoding import OrjsonTranscoder, domain_value_types, register_domain_transcodings


def _library() -> JSONTranscoder:
    transcoder = JSONTranscoder()
    register_domain_transcodings(transcoder)
    return transcoder


def _orjson() -> OrjsonTranscoder:
    transcoder = OrjsonTranscoder()
    register_domain_transcodings(transcoder)
    return transcoder


# Fields whose domain rules take only some strings.
_NAMED = {"country": "FR", "currency": "EUR"}


def _sample(hint: Any, name: str = "") -> Any:
    """A representative value of a type hint, or raise LookupError."""
    if name in _NAMED and hint is str:
        return _NAMED[name]
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _sample(next(a for a in typing.get_args(hint) if a is not type(None)))
    if origin in (list, tuple, typing.Sequence, frozenset, set):
        return [_sample(typing.get_args(hint)[0])]
    if origin is dict:
        key, value = typing.get_args(hint)
        return {_sample(key): _sample(value)}
    if origin is typing.Literal:
        return typing.get_args(hint)[0]
    samples: dict[Any, Any] = {
        str: "Éclair, 20 % off",
        int: 3,
        bool: True,
        float: 0.5,
        Decimal: Decimal("12.50"),
        datetime: datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
        date: date(2024, 2, 29),
        UUID: UUID("12345678-1234-5678-1234-567812345678"),
    }
    if hint in samples:
        return samples[hint]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return next(iter(hint))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        init = [f for f in dataclasses.fields(hint) if f.init]
        fields = {f.name: _sample(hints[f.name], f.name) for f in init}
        try:
            return hint(**fields)
        except Exception:  # the type's rules may refuse one optional value: leave them out
            optional = {f.name for f in init if type(None) in typing.get_args(hints[f.name])}
            return hint(**{k: (None if k in optional else v) for k, v in fields.items()})
    raise LookupError(hint)


def _found_in(value: Any, found: dict[type[Any], Any]) -> None:
    found.setdefault(type(value), value)
    if isinstance(value, dict):
        children: Any = value.values()
    elif isinstance(value, list | tuple):
        children = value
    elif dataclasses.is_dataclass(value):
        children = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return
    for child in children:
        _found_in(child, found)


def _instances() -> list[Any]:
    """One value of each domain type: from the generated company, else built from its hints."""
    found: dict[type[Any], Any] = {}
    library = _library()
    for stored in generate(20_000, seed=5):
        _found_in(library.decode(stored.state), found)
    for cls in domain_value_types():
        if cls not in found:
            try:
                found[cls] = _sample(cls)
            except Exception:  # a sample the type's own rules refuse
                continue
    return [found[cls] for cls in dict.fromkeys(domain_value_types()) if cls in found]


def test_values_of_nearly_every_domain_type_take_part_in_the_round_trips() -> None:
    assert len(_instances()) >= 0.85 * len(set(domain_value_types()))


@pytest.mark.parametrize("value", _instances(), ids=lambda v: type(v).__qualname__)
def test_each_domain_value_is_written_byte_for_byte_as_the_library_writes_it(value: Any) -> None:
    state = {"value": value, "values": [value, (value,)], "at": datetime.now(UTC)}
    try:
        written = _library().encode(state)
    except TypeError as refused:  # e.g. a dict keyed by Decimal, never stored
        with pytest.raises(type(refused)):
            _orjson().encode(state)
        return
    assert _orjson().encode(state) == written
    assert _orjson().decode(written) == _library().decode(written)


def test_standard_values_round_trip_through_both_transcoders() -> None:
    state = {
        "id": uuid4(),
        "amount": Decimal("-0.010"),
        "at": datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=2))),
        "naive": datetime(2024, 1, 2),
        "day": date(1999, 12, 31),
        "nested": {"ids": [uuid4(), None], "deep": [[Decimal(1)], {"x": date.today()}]},
        "text": 'naïve \x1f \u2028 "quoted" \\',
        "big": 2**63 - 1,
        "ratio": 1e16,
        "flag": False,
        "tuple": (1, "a"),
        1: "an int key",
    }
    library, fast = _library(), _orjson()
    assert fast.encode(state) == library.encode(state)
    expected = library.decode(library.encode(state))
    assert fast.decode(library.encode(state)) == expected
    assert library.decode(fast.encode(state)) == expected


def test_what_orjson_cannot_write_or_read_goes_through_the_library() -> None:
    state = {"huge": 2**70, "nan": float("nan"), "inf": float("-inf")}
    library, fast = _library(), _orjson()
    assert fast.encode(state) == library.encode(state)
    decoded = fast.decode(library.encode(state))
    assert decoded["huge"] == 2**70
    assert decoded["inf"] == float("-inf")


def test_an_unregistered_type_is_refused_as_the_library_refuses_it() -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        _orjson().encode({"when": timedelta(days=1)})
    with pytest.raises(TranscodingNotRegisteredError):
        _orjson().decode(b'{"x":{"_type_":"unknown","_data_":1}}')


def test_generated_events_decode_and_encode_identically_with_both_transcoders() -> None:
    library, fast = _library(), _orjson()
    for stored in generate(5000, seed=3):
        state = library.decode(stored.state)
        assert fast.decode(stored.state) == state
        assert fast.encode(state) == stored.state


def test_the_application_stores_events_with_the_orjson_transcoder() -> None:
    from application.app import Comptoir

    app = Comptoir({"PERSISTENCE_MODULE": "adapters.eventstore.memory:JournalingMemoryFactory"})
    assert isinstance(app.mapper.transcoder, OrjsonTranscoder)
