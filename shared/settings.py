"""All configuration: environment variables with the ``GONGKAI_`` prefix (DESIGN §2).

The embedded mode needs none of them: every default points at ``./var`` and the in-process bus.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICE_NAMES: tuple[str, ...] = ("requests", "scoring", "appraisal", "accountability", "notifier")

DEV_JWT_SECRET = "gongkai-dev-secret-change-me-in-prod-0123456789"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGKAI_", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Path("./var")
    bus_url: str = "memory://"

    # One database per service (DESIGN §1). Unset → a SQLite file under data_dir.
    requests_database_url: str | None = None
    scoring_database_url: str | None = None
    appraisal_database_url: str | None = None
    accountability_database_url: str | None = None
    notifier_database_url: str | None = None
    # Where the gateway (``gongkai gateway``, distributed mode) finds each service: the ports of
    # ``make up`` by default; ``http://<service>:8000`` in compose and Kubernetes.
    requests_url: str = "http://127.0.0.1:8001"
    scoring_url: str = "http://127.0.0.1:8002"
    appraisal_url: str = "http://127.0.0.1:8003"
    accountability_url: str = "http://127.0.0.1:8004"
    notifier_url: str = "http://127.0.0.1:8005"
    database_pool_size: int = 10
    database_echo: bool = False
    # Every wait on a database is bounded (shared.db.create_engine): a server that hangs costs a
    # request these few seconds and a 503, never a worker. The statement timeout is also SQLite's
    # busy timeout (how long a writer waits for the write lock).
    database_connect_timeout_seconds: float = Field(5.0, gt=0)
    database_statement_timeout_seconds: float = Field(15.0, gt=0)
    database_pool_timeout_seconds: float = Field(5.0, gt=0)

    # Consumers: a message that fails max_attempts times lands in gongkai.<service>.dead; the
    # delay before retry k (1-based) is retry_base_seconds * retry_factor ** (k - 1).
    bus_max_attempts: int = Field(5, ge=1, le=20)
    bus_retry_base_seconds: float = Field(5.0, gt=0)
    bus_retry_factor: float = Field(3.0, ge=1)
    # Consumers: messages held unacked at once, events per inbox transaction, and batch workers.
    bus_prefetch: int = Field(256, ge=1)
    bus_batch_size: int = Field(64, ge=1, le=1000)
    bus_consumer_concurrency: int = Field(4, ge=1, le=64)

    # Outbox relay.
    outbox_batch_size: int = Field(500, ge=1)
    outbox_poll_seconds: float = Field(0.5, gt=0)
    outbox_lease_seconds: float = Field(30.0, gt=0)
    outbox_backoff_max_seconds: float = Field(60.0, gt=0)
    # Sent rows are kept this long (for inspection), then purged by the relay.
    outbox_retention_days: float = Field(7.0, gt=0)
    # Inbox rows (ids of applied events) are kept this long against redelivery, then purged.
    inbox_retention_days: float = Field(30.0, gt=0)
    # In-process bus only: on start, events sent this recently are handed over again, because the
    # queues that held them died with the previous process (inboxes drop what was applied).
    memory_bus_resend_minutes: float = Field(15.0, ge=0)

    # Auth (DESIGN §10): HS256 with a shared secret in dev; JWKS of the identity provider in prod.
    jwt_secret: str = DEV_JWT_SECRET
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: list[str] = ["HS256"]
    dev_token_ttl_seconds: int = 12 * 3600

    # Browser front ends on other origins (CORS, shared.app): comma-separated origins, "*" for any
    # (then without credentials). Unset: the usual local dev servers in dev/test, none in prod.
    cors_origins: str | None = None

    max_body_bytes: int = 10 * 1024 * 1024
    idempotency_ttl_hours: int = 24
    # TEST ONLY (refused in prod): a keyed POST exits the process right after its commit, before
    # its response leaves — what the kill test of tests/reliability needs to be reproducible.
    test_crash_after_commit: bool = False
    log_level: str = "INFO"
    log_json: bool = True
    # Embedded mode only: a background task per replica for periodic jobs.
    run_background_jobs: bool = True
    # Identity-number encryption (DESIGN §5): comma-separated kid:base64(32-byte key), the first
    # encrypts, all decrypt (rotation). The default is the DEV-ONLY key base64(sha256(b"gongkai dev
    # field key - not for production")), published here and refused when env=prod (shared.crypto).
    field_encryption_keys: str = "dev:jzcu9puhE+LaPJa7qA3pgpLUP5nYv6STx6eUKbuTA/o="

    @model_validator(mode="after")
    def _no_test_hooks_in_prod(self) -> Settings:
        if self.env == "prod" and self.test_crash_after_commit:
            raise ValueError("GONGKAI_TEST_CRASH_AFTER_COMMIT is a test hook and is refused when GONGKAI_ENV=prod")
        return self

    def database_url(self, service: str) -> str:
        if service not in SERVICE_NAMES:
            raise ValueError(f"unknown service {service!r}")
        url: str | None = getattr(self, f"{service}_database_url")
        if url:
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.sqlite3').as_posix()}"

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"


@lru_cache
def get_settings() -> Settings:
    return Settings()
