"""Settings and resources of the accountability service alone (prefix ``GONGKAI_ACCOUNTABILITY_``),
beside the shared ones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.accountability.domain.ladders import DEFAULT_LADDER, Ladder, ladder_named
from shared.runtime import ServiceRuntime
from shared.settings import Settings
from shared.storage import LocalStorage, Storage


class AccountabilitySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGKAI_ACCOUNTABILITY_", extra="ignore")

    # The sanction ladder the deployment follows (DESIGN §8): "handan" (seed 000 第七条, three
    # rungs) or "finance_bureau" (seed 004 第二十七条(四), four rungs).
    ladder: str = DEFAULT_LADDER
    # How often each replica's deadline sweep runs (also POST /api/v1/admin/accountability/sweeps/deadlines).
    sweep_interval_seconds: float = Field(300.0, gt=0)
    # Evidence files on local disk in the embedded mode (the storage interface allows others).
    storage_dir: Path = Path("./var/accountability-evidence")
    max_evidence_bytes: int = 50 * 1024 * 1024


@lru_cache
def get_accountability_settings() -> AccountabilitySettings:
    return AccountabilitySettings()


@dataclass(frozen=True)
class AccountabilityResources:
    """What the accountability use cases need beside the shared runtime (``ctx.resources``)."""

    settings: AccountabilitySettings
    ladder: Ladder
    storage: Storage


def build_resources(_settings: Settings) -> AccountabilityResources:
    """``ServiceSpec.resources``: built once per runtime; an unknown ladder name refuses to start."""
    own = get_accountability_settings()
    return AccountabilityResources(settings=own, ladder=ladder_named(own.ladder), storage=LocalStorage(own.storage_dir))


# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[AccountabilityResources]
