"""Configuration from `COMPTOIR_*` environment variables (every one is in the README)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    pg_connect_timeout_s: float = Field(default=5.0, gt=0)
    redis_url: str | None = None
    duckdb_path: Path = Path("var/views.duckdb")
    projector: Literal["inprocess", "off"] = "inprocess"
    projector_page_size: int = Field(default=5000, ge=1)
    projector_poll_s: float = Field(default=0.2, gt=0)
    view_wait_timeout_s: float = Field(default=5.0, ge=0)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    quote_soon_days: int = Field(default=10, ge=1)

    def eventstore_env(self) -> dict[str, str]:
        """The `eventsourcing` environment that selects and configures the event store."""
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
            "POSTGRES_CONNECT_TIMEOUT": str(int(self.pg_connect_timeout_s)),
            "POSTGRES_LOCK_TIMEOUT": "10",
        }
