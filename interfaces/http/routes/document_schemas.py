"""Request and response schemas of the document routes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from domain.printed_document import Rendition, Sending
from interfaces.http.text_rules import NO_CONTROL


class RenditionView(BaseModel):
    edition: str
    sha256: str
    size: int
    file_name: str
    title: str
    template_version: str
    source_version: int
    rendered_at: datetime

    @classmethod
    def of(cls, rendition: Rendition) -> RenditionView:
        return cls.model_validate(rendition, from_attributes=True)


class SendingView(BaseModel):
    sending_id: str
    edition: str
    sha256: str
    recipient: str
    subject: str
    message_id: str
    status: str
    requested_at: datetime
    sent_at: datetime | None
    failure: str | None
    status_url: str | None = Field(default=None, description="Where to follow this sending")

    @classmethod
    def of(cls, sending: Sending, status_url: str | None = None) -> SendingView:
        view = cls.model_validate(sending, from_attributes=True)
        return view.model_copy(update={"status_url": status_url})


class PrintedView(BaseModel):
    """What was issued and e-mailed for one document of one kind."""

    kind: str
    source_id: UUID
    editions: list[RenditionView]
    sendings: list[SendingView]


class FilePlaceView(BaseModel):
    kind: str
    source_id: UUID
    edition: str
    rendered_at: datetime


class IdentifiedView(BaseModel):
    """A file Comptoir issued: its hash, its size, and the editions it was issued as."""

    sha256: str
    size: int
    issued_as: list[FilePlaceView]


class SendIn(BaseModel):
    """Whom to e-mail the document to, which edition (latest by default), and why."""

    recipient: str = Field(max_length=254, description="One address: name@example.fr")
    edition: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="`r2` (quote revision), `a1` (after amendment 1), `D1` (delivery)",
    )
    subject: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    reason: str | None = Field(default=None, max_length=500, pattern=NO_CONTROL)


class ReminderMailIn(BaseModel):
    """A quote reminder by e-mail (Q11): to whom, and the subject and text if not the
    default ones (`Relance : Devis …`)."""

    recipient: str = Field(max_length=254, description="One address: name@example.fr")
    subject: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    body: str | None = Field(default=None, max_length=5000, pattern=NO_CONTROL)
    note: str = Field(default="", max_length=500, pattern=NO_CONTROL)
