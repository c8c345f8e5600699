"""Sending a document by e-mail over SMTP (`COMPTOIR_SMTP_*`), with the standard library.

The message carries the Message-ID the sending event recorded before it was sent, so a
message sent twice after a crash (the server accepted it, the event saying so was not
recorded) is one message to the receiving servers and to the auditor.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal, Protocol

Security = Literal["none", "starttls", "ssl"]


class MailNotDelivered(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


class MailNotConfigured(RuntimeError):
    """No SMTP server is configured (`COMPTOIR_SMTP_HOST`)."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: host, port, sender, optional login and transport security."""

    host: str
    port: int = 25
    sender: str = "comptoir@localhost"
    user: str | None = None
    password: str | None = None
    security: Security = "none"
    timeout_s: float = 10.0


class Mailer(Protocol):
    """Sends one message or raises `MailNotDelivered`."""

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """A `Mailer` over SMTP: one connection per message (documents are sent one by one)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @property
    def sender(self) -> str:
        return self.settings.sender

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            if s.security == "ssl":
                context = ssl.create_default_context()
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_s, context=context
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            with client:
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.user:
                    client.login(s.user, s.password or "")
                client.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise MailNotDelivered(
                f"the SMTP server {s.host}:{s.port} did not take the message: {error}"
            ) from None


def new_message_id(sender: str) -> str:
    """A fresh `<…@domain>` Message-ID in the sender's domain."""
    domain = sender.rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def document_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    body: str,
    message_id: str,
    attachment: bytes,
    file_name: str,
) -> EmailMessage:
    """A plain-text message with the document attached as `application/pdf`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message.set_content(body)
    message.add_attachment(attachment, maintype="application", subtype="pdf", filename=file_name)
    return message
