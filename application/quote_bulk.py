"""One action over many quotes, each applied as its own command (Q11)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from uuid import UUID, uuid4

from application.commands import CommandResult
from application.journal import CommandContext
from domain.errors import DomainError


@dataclass(frozen=True)
class BulkItem:
    """What one quote of a bulk action became: recorded, or refused with the error's code."""

    quote_id: UUID
    ok: bool
    version: int | None = None
    position: int | None = None
    replayed: bool = False
    code: str | None = None
    detail: str | None = None


def run_each(
    ctx: CommandContext,
    quote_ids: Sequence[UUID],
    one: Callable[[CommandContext, UUID], CommandResult],
) -> list[BulkItem]:
    """Run `one` per quote, each with its own journal row and transaction.

    A refused item is reported and the others go on; since every item commits alone,
    a refusal leaves nothing half-applied. Under an idempotency key K, the item for
    quote Q runs under "K:Q", so retrying the whole request replays what was recorded
    and retries only what was refused.
    """
    items = []
    for quote_id in quote_ids:
        key = ctx.idempotency_key
        item_ctx = replace(
            ctx,
            command_id=uuid4(),
            idempotency_key=None if key is None else f"{key}:{quote_id}",
        )
        try:
            outcome = one(item_ctx, quote_id)
        except DomainError as error:
            items.append(BulkItem(quote_id, False, code=error.code, detail=str(error)))
            continue
        items.append(BulkItem(quote_id, True, outcome.version, outcome.position, outcome.replayed))
    return items
