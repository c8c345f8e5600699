"""Proof that nothing was altered: the log and its hash chain walked side by side.

`verify` recomputes every link from the events as stored (the encoding is in
`application.sealing`) and reports the first event at which the log and the chain
disagree: an event altered, missing, inserted or moved, a chain link altered, or an
anchor kept outside the system that no longer matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Notification

from application.sealing import GENESIS, Anchor, ChainLink, ChainStore, seal_one

ProblemKind = Literal["altered", "missing", "inserted", "reordered", "chain", "anchor"]


@dataclass(frozen=True)
class Problem:
    """The first event at which the log and its chain disagree."""

    kind: ProblemKind
    notification_id: int
    detail: str = ""

    def __str__(self) -> str:
        what = {
            "chain": "altered chain link",
            "anchor": "anchor mismatch",
        }.get(self.kind, f"{self.kind} event")
        line = f"{what} at notification {self.notification_id}"
        return f"{line} ({self.detail})" if self.detail else line


@dataclass(frozen=True)
class VerifyReport:
    """What `verify` found: the checked links, the head, unsealed events, the first problem."""

    sealed: int
    head: ChainLink | None
    unsealed: int
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.problem is not None:
            return str(self.problem)
        head = "none" if self.head is None else self.head.link.hex()
        return f"ok: {self.sealed} events sealed, head {head}, unsealed {self.unsealed}"


def verify(
    app: Application[Any],
    store: ChainStore,
    *,
    anchor: Anchor | None = None,
    page_size: int = 1000,
) -> VerifyReport:
    """Walk the log and the chain side by side and report the first disagreement."""
    head = store.head()
    sealed_to = 0 if head is None else head.notification_id
    # Bound both walks where they stood at the start, so concurrent commands and seals
    # show as unsealed events rather than as problems.
    log_end = app.recorder.max_notification_id() or 0
    events = _log(app.recorder, page_size, log_end)
    chain = _chain(store, page_size, sealed_to)
    event, link = next(events, None), next(chain, None)
    previous, sealed, unsealed = GENESIS, 0, 0
    anchor_seen = anchor is None

    def report(problem: Problem | None) -> VerifyReport:
        return VerifyReport(sealed, head, unsealed, problem)

    while event is not None or link is not None:
        if link is not None and (event is None or link.notification_id < event.id):
            return report(Problem("missing", link.notification_id))
        assert event is not None
        if link is None or event.id < link.notification_id:
            if event.id > sealed_to:
                unsealed += 1
                event = next(events, None)
                continue
            if link is not None and _chain_lost_a_link(event, next(events, None), link, previous):
                return report(Problem("chain", event.id, "the chain lost its link there"))
            return report(_inserted(event, store))
        problem = _compare(event, link, previous, store)
        if problem is None and anchor is not None and anchor.notification_id == event.id:
            anchor_seen = True
            if anchor.link != link.link:
                problem = Problem("anchor", event.id, "the chain differs from the kept anchor")
        if problem is not None:
            return report(problem)
        previous, sealed = link.link, sealed + 1
        event, link = next(events, None), next(chain, None)
    if not anchor_seen and anchor is not None:
        return report(
            Problem("anchor", anchor.notification_id, "the chain has no link there any more")
        )
    return report(None)


def _compare(
    event: Notification, link: ChainLink, previous: bytes, store: ChainStore
) -> Problem | None:
    computed = seal_one(previous, event)
    if computed.link == link.link:
        if computed.content_digest != link.content_digest:
            return Problem("chain", event.id, "its content digest was changed")
        return None
    if computed.content_digest == link.content_digest:
        return Problem("chain", event.id, "its link was changed")
    elsewhere = store.sealed_at(computed.content_digest)
    if elsewhere is not None:
        return Problem("reordered", event.id, f"holds the event sealed at {elsewhere}")
    return Problem("altered", event.id)


def _chain_lost_a_link(
    event: Notification, following: Notification | None, link: ChainLink, previous: bytes
) -> bool:
    """Whether the next link was sealed through `event`: then its own link was deleted."""
    if following is None or following.id != link.notification_id:
        return False
    return seal_one(seal_one(previous, event).link, following).link == link.link


def _inserted(event: Notification, store: ChainStore) -> Problem:
    elsewhere = store.sealed_at(seal_one(GENESIS, event).content_digest)
    detail = "" if elsewhere is None else f"a copy of the event sealed at {elsewhere}"
    return Problem("inserted", event.id, detail)


def _log(recorder: ApplicationRecorder, page_size: int, stop: int) -> Iterator[Notification]:
    after = 0
    while after < stop:
        page = recorder.select_notifications(
            start=after, limit=page_size, stop=stop, inclusive_of_start=False
        )
        if not page:
            return
        yield from page
        after = page[-1].id


def _chain(store: ChainStore, page_size: int, stop: int) -> Iterator[ChainLink]:
    after = 0
    while after < stop:
        page = store.links(after, page_size, stop)
        if not page:
            return
        yield from page
        after = page[-1].notification_id
