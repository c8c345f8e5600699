"""Request and response bodies shared by the routes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field

from application.commands import CommandResult

Amount = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20, decimal_places=6)]
Percent = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, le=100, max_digits=9)]
# No NUL character: PostgreSQL text columns (the journal's reason and actor) refuse it.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
ShortText = Annotated[str, Field(max_length=200, pattern=NO_NUL)]


def json_safe(value: Any) -> Any:
    """JSON-ready data with every amount as an exact decimal string, never a float."""
    return jsonable_encoder(value, custom_encoder={Decimal: str})


class Body(BaseModel):
    """Every command body: no unknown fields, and an optional reason for the record."""

    model_config = ConfigDict(extra="forbid")

    reason: Text | None = Field(default=None, description="Why, recorded in the journal")


class Accepted(BaseModel):
    """A recorded command: the document, its new version, and the log position to wait for."""

    id: UUID
    version: int
    position: int | None
    result: dict[str, str] = {}
    links: dict[str, str] = {}

    @classmethod
    def of(cls, outcome: CommandResult, base: str) -> Accepted:
        self_link = f"{base}/{outcome.aggregate_id}"
        return cls(
            id=outcome.aggregate_id,
            version=outcome.version,
            position=outcome.position,
            result=outcome.result,
            links={"self": self_link, "history": f"{self_link}/history"},
        )


class HistoryItem(BaseModel):
    """One event of a document with who recorded it, when and why."""

    position: int
    version: int
    type: str
    recorded_at: datetime
    actor: str | None
    reason: str | None
    command: str | None
    command_id: UUID | None
    data: dict[str, Any]


class ViewPage(BaseModel):
    """Rows of a view and the log position the view had reached."""

    position: int
    total: int
    items: list[dict[str, Any]]


__all__ = ["Amount", "Percent", "ShortText", "Text", "date"]
