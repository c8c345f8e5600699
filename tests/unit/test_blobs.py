"""The content-addressed blob store: bytes under their SHA-256, written once, checked on read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.blobs import BlobCorrupted, BlobMissing, BlobStore


def test_bytes_come_back_identical_under_their_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = b"\x89PNG\r\n\x1a\n\x00\xff"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.get(digest) == data
    assert digest in store
    assert (tmp_path / "blobs" / digest[:2] / digest).read_bytes() == data


def test_storing_the_same_bytes_twice_keeps_one_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    first = store.put(b"logo")
    assert store.put(b"logo") == first
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [first]


def test_a_missing_blob_and_a_malformed_digest_are_refused(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(BlobMissing):
        store.get("0" * 64)
    with pytest.raises(ValueError, match="SHA-256"):
        store.get("../../etc/passwd")
    assert "0" * 64 not in store


def test_a_blob_whose_bytes_changed_on_disk_is_refused_on_read(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    digest = store.put(b"original")
    store.path_of(digest).write_bytes(b"tampered")
    with pytest.raises(BlobCorrupted):
        store.get(digest)


@given(st.binary(max_size=2048))
def test_any_bytes_round_trip(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        store = BlobStore(Path(root))
        assert store.get(store.put(data)) == data
