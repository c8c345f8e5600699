"""The canonical bytes of an event's content, shared by the hash chain and the MACs.

The encoding is written out in `application.sealing`'s docstring and the README.
"""

from __future__ import annotations

import struct
from uuid import UUID


def u64(value: int) -> bytes:
    return struct.pack(">Q", value)


def field(value: bytes) -> bytes:
    return u64(len(value)) + value


def id_bytes(originator_id: UUID | str) -> bytes:
    return originator_id.bytes if isinstance(originator_id, UUID) else originator_id.encode()


def encode_content(
    originator_id: UUID | str, originator_version: int, topic: str, state: bytes
) -> bytes:
    """The canonical bytes of an event's content, without its position in the log."""
    return (
        field(id_bytes(originator_id))
        + u64(originator_version)
        + field(topic.encode())
        + field(bytes(state))
    )
