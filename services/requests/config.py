"""Settings of the requests service alone (prefix ``GONGKAI_REQUESTS_``), beside the shared ones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.requests.domain.rules import DEFAULT_RULE_SET
from shared.crypto import FieldCipher
from shared.runtime import ServiceRuntime
from shared.settings import Settings
from shared.storage import LocalStorage, Storage

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
    # 条例 第三十一条: a mail/online/fax/12345/provincial application left unconfirmed longer than this many
    # working days → request.unconfirmed (once), and ?unconfirmed=true lists it.
    unconfirmed_after_working_days: int = Field(1, ge=0, le=20)
    # Attachments on local disk in the embedded mode (the storage interface allows others).
    storage_dir: Path = Path("./var/attachments")
    max_attachment_bytes: int = 50 * 1024 * 1024
    # HMAC secrets of the inbound integrations (comma-separated: several during a rotation).
    hotline_secrets: str = DEV_HOTLINE_SECRET
    provincial_secrets: str = DEV_PROVINCIAL_SECRET


@lru_cache
def get_requests_settings() -> RequestsSettings:
    return RequestsSettings()


@dataclass(frozen=True)
class RequestsResources:
    """What the requests service's use cases need beside the shared runtime (``ctx.resources``)."""

    settings: RequestsSettings
    # Identity numbers and query codes are encrypted / blind-indexed with it (DESIGN §5).
    field_cipher: FieldCipher
    # Attachments (local disk in the embedded mode; the interface allows others).
    storage: Storage


def build_resources(settings: Settings) -> RequestsResources:
    """``ServiceSpec.resources``: built once per runtime; refuses prod with the dev field key."""
    own = get_requests_settings()
    return RequestsResources(settings=own, field_cipher=FieldCipher(settings), storage=LocalStorage(own.storage_dir))


# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[RequestsResources]
