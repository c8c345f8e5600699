"""A real SMTP server for tests (aiosmtpd on a free local port) that keeps what it receives."""

from __future__ import annotations

import email
import hashlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    """The messages the server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1 for the duration of the block."""
    mailbox = Mailbox()
    mailbox.port = port or free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def attachment_of(message: EmailMessage) -> tuple[str, bytes]:
    """The file name and bytes of the message's one attachment."""
    parts = list(message.iter_attachments())
    assert len(parts) == 1, [p.get_filename() for p in parts]
    data = parts[0].get_content()
    assert isinstance(data, bytes)
    return parts[0].get_filename() or "", data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
