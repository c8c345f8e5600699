"""Writes that arrive while another is in flight are written together, each with its outcome."""

from __future__ import annotations

import threading
import time

import pytest

from adapters.eventstore.group_commit import GroupCommitter, Pending


def test_writes_queued_behind_one_in_flight_share_the_next_group() -> None:
    groups: list[list[int]] = []
    first_in_flight = threading.Event()
    release = threading.Event()

    def write(group: list[Pending[int]]) -> None:
        groups.append([p.request for p in group])
        if not first_in_flight.is_set():
            first_in_flight.set()
            release.wait(5)
        for pending in group:
            pending.succeed(pending.request * 10)

    committer: GroupCommitter[int] = GroupCommitter(write)
    results: dict[int, int] = {}
    first = threading.Thread(target=lambda: results.update({0: committer.submit(0)}))
    first.start()
    first_in_flight.wait(5)
    others = [
        threading.Thread(target=lambda i=i: results.update({i: committer.submit(i)}))
        for i in range(1, 6)
    ]
    for thread in others:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in [first, *others]:
        thread.join(5)
    assert results == {i: i * 10 for i in range(6)}
    assert groups[0] == [0]
    assert sorted(groups[1]) == [1, 2, 3, 4, 5]


def test_a_refused_write_fails_alone_and_the_others_succeed() -> None:
    def write(group: list[Pending[int]]) -> None:
        for pending in group:
            if pending.request % 2:
                pending.fail(ValueError(f"odd {pending.request}"))
            else:
                pending.succeed(pending.request)

    committer: GroupCommitter[int] = GroupCommitter(write)
    outcomes: dict[int, object] = {}

    def submit(i: int) -> None:
        try:
            outcomes[i] = committer.submit(i)
        except ValueError as error:
            outcomes[i] = str(error)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert outcomes == {i: (f"odd {i}" if i % 2 else i) for i in range(40)}


def test_a_failing_group_fails_each_of_its_writes_and_the_next_group_still_runs() -> None:
    calls = 0

    def write(group: list[Pending[int]]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("server gone")
        for pending in group:
            pending.succeed(pending.request)

    committer: GroupCommitter[int] = GroupCommitter(write)
    with pytest.raises(ConnectionError):
        committer.submit(1)
    assert committer.submit(2) == 2
