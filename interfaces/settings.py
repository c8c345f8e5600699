"""Configuration from `COMPTOIR_*` environment variables (every one is in the README)."""

from __future__ import annotations

import math
import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from application.policies import Policies
from application.signing import Keyring
from domain.quote_policy import ApprovalPolicy
from domain.stages import RiskFactors


class Settings(BaseSettings):
    """Every setting of a Comptoir process."""

    model_config = SettingsConfigDict(env_prefix="COMPTOIR_", extra="ignore")

    event_store: Literal["sqlite", "postgres", "memory"] = "sqlite"
    sqlite_path: Path = Path("var/events.sqlite")
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "postgres"
    pg_password: str = ""
    pg_dbname: str = "comptoir"
    pg_schema: str = "public"
    pg_pool_size: int = Field(default=8, ge=1)
    # How long opening a connection may take (libpq counts whole seconds, at least 2).
    pg_connect_timeout_s: float = Field(default=2.0, gt=0)
    # How long a call waits for a pooled connection; past it the store counts as down.
    pg_pool_timeout_s: float = Field(default=2.0, gt=0)
    # The server cancels a statement running longer (0: never); a call that has no
    # answer 0.5 s after it (a hung server) has its connection shut by the client.
    pg_statement_timeout_s: float = Field(default=3.0, ge=0)
    # Once the store is found down, calls are refused at once (503) for this long, then
    # one call at a time probes it.
    pg_breaker_retry_s: float = Field(default=1.0, gt=0)
    # A pooled connection is pinged before use unless it was handed out this recently.
    pg_ping_window_s: float = Field(default=0.5, ge=0)
    # Writes that arrive while another command's transaction is in flight are written
    # together in the next one: one table lock and one commit for the group.
    pg_group_commit: bool = True
    # Documents kept in memory between commands; each read still reads the events
    # recorded after the cached version (by any process), so a cached copy is never stale.
    aggregate_cache_size: int = Field(default=1000, ge=0)
    # A command is first built on the cached documents without reading the store; what
    # it records is checked against the log when it is written, and built again on the
    # log's state if anything moved meanwhile (application/trusted_reads.py). Off: every
    # command's load reads the events recorded since, as reads do.
    commands_trust_cache: bool = True
    # The writer's signing keys, `ID:BASE64URL[,ID:BASE64URL…]` (the first signs, all
    # verify); never stored in the database. Unset: read from `signing_key_file`, which
    # is created with a fresh key on first use (fine for one machine; give every command
    # node the same COMPTOIR_SIGNING_KEY when there are several).
    signing_key: str | None = Field(default=None, repr=False)
    signing_key_file: Path = Path("var/signing.key")
    # Content-addressed files (the company's logo) named by the SHA-256 their events hold.
    blob_dir: Path = Path("var/blobs")
    # A JSON file overriding the accounting export's accounts (411, 706, 707, 44571, VAT
    # sub-accounts per rate, journal code): see `application.accounting.AccountMapping`.
    accounts_file: Path | None = None
    # E-mailing documents: the SMTP server (unset: sending is refused, 503), the sender
    # address, an optional login, and "none", "starttls" or "ssl" transport security.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "comptoir@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    redis_url: str | None = None
    redis_namespace: str = "comptoir"
    worker_duckdb_path: Path = Path("var/worker-views.duckdb")
    jobs_interval_s: float = Field(default=300.0, gt=0)
    duckdb_path: Path = Path("var/views.duckdb")
    projector: Literal["inprocess", "off"] = "inprocess"
    sealer: Literal["inprocess", "off"] = "inprocess"
    sealer_poll_s: float = Field(default=1.0, gt=0)
    projector_page_size: int = Field(default=5000, ge=1)
    # Processes a full rebuild folds the documents in (`projections.parallel`).
    rebuild_workers: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 8), ge=1, le=64)
    projector_poll_s: float = Field(default=0.2, gt=0)
    view_wait_timeout_s: float = Field(default=5.0, ge=0)
    # This process's part (README "Running on several machines"): "all" serves commands
    # and views with the projector in-process; "command" serves commands, documents and
    # their history, no views; "query" follows the log into its own DuckDB file and
    # serves the views, refusing commands.
    role: Literal["all", "command", "query"] = "all"
    # Where query nodes and projectors read the log: a streaming replica (a hot standby,
    # polled: NOTIFY does not reach it). Unset: the primary, COMPTOIR_PG_HOST/PORT.
    pg_read_host: str | None = None
    pg_read_port: int | None = Field(default=None, ge=1, le=65535)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    quote_soon_days: int = Field(default=10, ge=1)
    warranty_soon_days: int = Field(default=30, ge=1)
    inactive_after_months: int = Field(default=18, ge=1)
    # Dunning levels, in days after the due date (JSON, e.g. [7, 30, 45]): one notice each.
    dunning_days: tuple[Annotated[int, Field(ge=1, le=3650)], ...] = Field(
        default=(7, 30, 45), min_length=1, max_length=10
    )
    approval_max_total: Decimal | None = Field(default=None, ge=0)
    approval_max_discount_percent: Decimal | None = Field(default=None, ge=0, le=100)
    approval_min_margin_percent: Decimal | None = Field(default=None, le=100)
    risk_factor_low: Decimal = Field(default=Decimal("1.0"), ge=0, le=1)
    risk_factor_medium: Decimal = Field(default=Decimal("0.75"), ge=0, le=1)
    risk_factor_high: Decimal = Field(default=Decimal("0.5"), ge=0, le=1)

    def policies(self) -> Policies:
        """The company policies these settings describe."""
        return Policies(
            approval=ApprovalPolicy(
                max_total=self.approval_max_total,
                max_discount_percent=self.approval_max_discount_percent,
                min_margin_percent=self.approval_min_margin_percent,
            ),
            risk_factors=RiskFactors(
                low=self.risk_factor_low,
                medium=self.risk_factor_medium,
                high=self.risk_factor_high,
            ),
            quote_soon_days=self.quote_soon_days,
            warranty_soon_days=self.warranty_soon_days,
            inactive_after_months=self.inactive_after_months,
            dunning_days=self.dunning_days,
        )

    def eventstore_env(self) -> dict[str, str]:
        """The `eventsourcing` environment that selects and configures the event store."""
        return (
            self._store_env()
            | self._cache_env()
            | {"SIGNING_KEYS": self.keyring().text(), "BLOB_DIR": str(self.blob_dir)}
        )

    def keyring(self) -> Keyring:
        """The signing keys: the setting, else the key file (made on first use)."""
        if self.signing_key:
            return Keyring.parse(self.signing_key)
        path = self.signing_key_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = Keyring.generate()
            try:
                with os.fdopen(
                    os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w"
                ) as f:
                    f.write(fresh.text() + "\n")
            except FileExistsError:
                pass  # another process made it first: use theirs
        return Keyring.parse(path.read_text())

    def _cache_env(self) -> dict[str, str]:
        if self.aggregate_cache_size == 0:
            return {}
        return {
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
            "AGGREGATE_CACHE_FASTFORWARD": "y",
            # a command mutates its own copy: a refused save leaves the cache intact
            "DEEPCOPY_FROM_AGGREGATE_CACHE": "y",
            "COMMANDS_TRUST_CACHE": "y" if self.commands_trust_cache else "n",
        }

    def _store_env(self) -> dict[str, str]:
        if self.event_store == "memory":
            return {"PERSISTENCE_MODULE": "adapters.eventstore.memory:JournalingMemoryFactory"}
        if self.event_store == "sqlite":
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "adapters.eventstore.sqlite:JournalingSQLiteFactory",
                "SQLITE_DBNAME": str(self.sqlite_path),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        return {
            "PERSISTENCE_MODULE": "adapters.eventstore.postgres:JournalingPostgresFactory",
            "POSTGRES_DBNAME": self.pg_dbname,
            "POSTGRES_HOST": self.pg_host,
            "POSTGRES_PORT": str(self.pg_port),
            "POSTGRES_USER": self.pg_user,
            "POSTGRES_PASSWORD": self.pg_password,
            "POSTGRES_SCHEMA": self.pg_schema,
            "POSTGRES_POOL_SIZE": str(self.pg_pool_size),
            # the library's name for the pool's wait (whole seconds); the guard sets it exactly
            "POSTGRES_CONNECT_TIMEOUT": str(math.ceil(self.pg_pool_timeout_s)),
            "POSTGRES_POOL_TIMEOUT": str(self.pg_pool_timeout_s),
            "POSTGRES_LIBPQ_CONNECT_TIMEOUT": str(self.pg_connect_timeout_s),
            "POSTGRES_STATEMENT_TIMEOUT": str(self.pg_statement_timeout_s),
            "POSTGRES_BREAKER_RETRY": str(self.pg_breaker_retry_s),
            "POSTGRES_LOCK_TIMEOUT": "10",
            # a connection a restart killed is dropped before use, not handed to a command
            "POSTGRES_PRE_PING": "y",
            "POSTGRES_PRE_PING_WINDOW": str(self.pg_ping_window_s),
            "POSTGRES_GROUP_COMMIT": "y" if self.pg_group_commit else "n",
        }
