"""The library's repository, with a cache that is safe to share between threads.

`eventsourcing` 9.5 fast-forwards a cached aggregate under a per-aggregate lock, then
deep-copies it *after* releasing that lock: a copy could iterate a document's lines
while another thread fast-forwarded the same object and added one (`RuntimeError:
dictionary changed size during iteration`, 2 answers in ~1,600 with 40 clients on one
quote). Here the cached object is only ever touched under its lock: fast-forward and
copy alike. Reading the store for a document not cached yet happens outside the lock,
so loads of other documents, or of this one, never wait for each other's first read.

A command may also take the cached document out of the cache, as this process last knew
it, without asking the store for later events and without a copy (`take`), when what it
records is checked against the log anyway (see `application.trusted_reads`). Once
recorded, the document goes back as recorded (`remember`), so this process's next command
on it finds it current; a command that fails leaves it out, to be read anew.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.domain import TMutableOrImmutableAggregate


class LockedCacheRepository(Repository[UUID]):
    """A repository whose cached aggregates are fast-forwarded and copied under one lock."""

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: ProjectorFunction[TMutableOrImmutableAggregate, Any] = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> TMutableOrImmutableAggregate:
        if self.cache is None or version is not None:
            return super().get(
                aggregate_id,
                version=version,
                projector_func=projector_func,
                fastforward_skipping=fastforward_skipping,
                deepcopy_from_cache=deepcopy_from_cache,
            )
        copy = deepcopy_from_cache and self.deepcopy_from_cache
        try:
            self.cache.get(aggregate_id)
        except KeyError:
            fresh: TMutableOrImmutableAggregate = self._reconstruct_aggregate(
                aggregate_id, None, projector_func
            )
            return self._keep(aggregate_id, fresh, projector_func, copy)
        return self._fastforward(aggregate_id, projector_func, copy)

    def _keep(
        self,
        aggregate_id: UUID,
        fresh: TMutableOrImmutableAggregate,
        projector_func: ProjectorFunction[TMutableOrImmutableAggregate, Any],
        copy: bool,
    ) -> TMutableOrImmutableAggregate:
        """Cache a freshly read aggregate unless another thread cached one meanwhile."""
        assert self.cache is not None
        lock = self._use_fastforward_lock(aggregate_id)
        try:
            with lock:
                try:
                    self.cache.get(aggregate_id)
                except KeyError:
                    self.cache.put(aggregate_id, fresh)
                    return deepcopy(fresh) if copy else fresh
        finally:
            self._disuse_fastforward_lock(aggregate_id)
        # the cached one may be ahead of ours: bring it forward and use it
        return self._fastforward(aggregate_id, projector_func, copy)

    def _fastforward(
        self,
        aggregate_id: UUID,
        projector_func: ProjectorFunction[TMutableOrImmutableAggregate, Any],
        copy: bool,
    ) -> TMutableOrImmutableAggregate:
        assert self.cache is not None
        lock = self._use_fastforward_lock(aggregate_id)
        try:
            with lock:
                try:
                    cached = cast(TMutableOrImmutableAggregate, self.cache.get(aggregate_id))
                except KeyError:  # evicted meanwhile: read it again
                    cached = self._reconstruct_aggregate(aggregate_id, None, projector_func)
                    self.cache.put(aggregate_id, cached)
                if self.fastforward:
                    new_events = self.event_store.get(originator_id=aggregate_id, gt=cached.version)
                    forwarded = projector_func(cached, cast(Iterable[Any], new_events))
                    if forwarded is None:
                        raise AggregateNotFoundError(aggregate_id)
                    if forwarded is not cached:  # immutable aggregates come back anew
                        self.cache.put(aggregate_id, forwarded)
                    cached = forwarded
                return deepcopy(cached) if copy else cached
        finally:
            self._disuse_fastforward_lock(aggregate_id)

    def take(self, aggregate_id: UUID) -> Any | None:
        """The cached document as this process last knew it, out of the cache, without
        reading the store (None if it is not cached): it may be behind the log. Until it
        is put back, loads of it in this process read it from the store."""
        if self.cache is None:
            return None
        lock = self._use_fastforward_lock(aggregate_id)
        try:
            with lock:
                try:
                    return self.cache.get(aggregate_id, evict=True)
                except KeyError:
                    return None
        finally:
            self._disuse_fastforward_lock(aggregate_id)

    def take_forwarded(self, aggregate_id: UUID) -> Any | None:
        """The cached document out of the cache, brought up to the log (the events recorded
        since its version, by any process), without a copy (None if it is not cached)."""
        taken = self.take(aggregate_id)
        if taken is None:
            return None
        # out of the cache, the object is this thread's alone: no lock to bring it forward
        new_events = self.event_store.get(originator_id=aggregate_id, gt=taken.version)
        return project_aggregate(taken, cast(Iterable[Any], new_events))

    def cached_version(self, aggregate_id: UUID) -> int | None:
        """The version of the cached copy (None if it is not cached)."""
        if self.cache is None:
            return None
        try:
            version: int = self.cache.get(aggregate_id).version
        except KeyError:
            return None
        return version

    def remember(self, aggregate: Any) -> None:
        """Keep a document just recorded (or taken and left unchanged), unless a later
        version is cached. The object itself: a command drops its outcome once recorded,
        a read takes a copy, and a command takes the document out before changing it."""
        if self.cache is None:
            return
        lock = self._use_fastforward_lock(aggregate.id)
        try:
            with lock:
                try:
                    cached = self.cache.get(aggregate.id)
                except KeyError:
                    cached = None
                if cached is None or cached.version < aggregate.version:
                    self.cache.put(aggregate.id, aggregate)
        finally:
            self._disuse_fastforward_lock(aggregate.id)
