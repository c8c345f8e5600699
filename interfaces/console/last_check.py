"""The result of the last check run from the console, kept on disk next to the views.

Where: `console-last-check.json` in the directory of `COMPTOIR_DUCKDB_PATH`. Only a node
of role `all` serves the console (a command node has no views, a query node no document
history), and such a node is one process whose data directory holds its DuckDB file: the
file is therefore what every process serving the console reads, after a restart too,
with no table of its own in the event store or the read model (the projector stays the
only writer of the DuckDB file, and a rebuild of the views does not lose the result).
It is written atomically (a temporary file in the same directory, flushed to disk, then
renamed over the old one), so a reader sees the previous result or the new one, never
half of one; a file that cannot be read counts as no check run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from adapters.blobs import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "console-last-check.json"


@dataclass(frozen=True)
class Checked:
    """The result of the last check run from the console: when, by whom, what it found."""

    at: datetime
    by: str
    ok: bool
    chain: str
    rows: str


def last_check_path(duckdb_path: Path) -> Path:
    """Where the last check is kept for a node whose views are in `duckdb_path`."""
    return duckdb_path.parent / FILE_NAME


def save_check(path: Path, checked: Checked) -> None:
    """Replace the kept result with `checked`, atomically."""
    body = {
        "at": checked.at.isoformat(),
        "by": checked.by,
        "ok": checked.ok,
        "chain": checked.chain,
        "rows": checked.rows,
    }
    write_atomically(path, json.dumps(body).encode())


def load_check(path: Path) -> Checked | None:
    """The kept result, or None when no check was run (or the file cannot be read)."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return Checked(
            datetime.fromisoformat(body["at"]),
            str(body["by"]),
            bool(body["ok"]),
            str(body["chain"]),
            str(body["rows"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("the console's last check in %s cannot be read: %s", path, error)
        return None
