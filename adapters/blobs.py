"""A small content-addressed file store: bytes filed under their SHA-256.

Events carry only the hash (so the chain covers the bytes without holding them); the
bytes live here, under the data directory, `ab/abcdef…` by their hex digest. A blob is
written once, atomically (a temporary file renamed into place), and never changed; a
read checks the bytes still hash to their name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

DIGEST = re.compile(r"[0-9a-f]{64}")


class BlobMissing(LookupError):
    """No blob with that digest in the store."""


class BlobCorrupted(RuntimeError):
    """A stored blob's bytes no longer hash to its name."""


class BlobStore:
    """Bytes by their SHA-256, in a directory created on first write."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, digest: str) -> Path:
        if not DIGEST.fullmatch(digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its SHA-256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_of(digest)
        if path.exists():
            return digest
        write_atomically(path, data)
        return digest

    def get(self, digest: str) -> bytes:
        """The bytes stored under `digest`, checked against it."""
        try:
            data = self.path_of(digest).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(f"no blob {digest}") from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise BlobCorrupted(f"blob {digest} does not hash to its name")
        return data

    def __contains__(self, digest: str) -> bool:
        return self.path_of(digest).is_file()


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` all or nothing: a temporary file beside it, synced, then
    renamed over it (a reader sees the old file or the new one, never a part)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
