"""Settings of the requests service alone (prefix ``GONGKAI_REQUESTS_``), beside the shared ones."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.requests.domain.rules import DEFAULT_RULE_SET

# Published in this repository, so refused in prod (see api/integrations.py).
DEV_HOTLINE_SECRET = "dev-hotline-secret"
DEV_PROVINCIAL_SECRET = "dev-provincial-secret"
DEV_SECRETS = frozenset({DEV_HOTLINE_SECRET, DEV_PROVINCIAL_SECRET})


class RequestsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGKAI_REQUESTS_", extra="ignore")

    # The deployment's time limits (DESIGN §5): "national_2019" (20 + 20) or "local_15_15".
    rule_set: str = DEFAULT_RULE_SET
    # How often each replica's deadline sweep runs (it is also POST /api/v1/admin/requests/sweeps/deadlines).
    sweep_interval_seconds: float = Field(300.0, gt=0)
    # Attachments on local disk in the embedded mode (the storage interface allows others).
    storage_dir: Path = Path("./var/attachments")
    max_attachment_bytes: int = 50 * 1024 * 1024
    # HMAC secrets of the inbound integrations (comma-separated: several during a rotation).
    hotline_secrets: str = DEV_HOTLINE_SECRET
    provincial_secrets: str = DEV_PROVINCIAL_SECRET


@lru_cache
def get_requests_settings() -> RequestsSettings:
    return RequestsSettings()
