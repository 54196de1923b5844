"""Settings and resources of the scoring service alone (prefix ``GONGKAI_SCORING_``), beside the
shared ones."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.runtime import ServiceRuntime
from shared.settings import Settings
from shared.storage import LocalStorage, Storage


class ScoringSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGKAI_SCORING_", extra="ignore")

    # Evidence attached to score entries (印证材料), on local disk in the embedded mode.
    storage_dir: Path = Path("./var/scoring-attachments")
    max_attachment_bytes: int = Field(20 * 1024 * 1024, gt=0)
    # How often each replica applies findings whose scheme has since been published (a safety
    # net: publication applies them in its own transaction; this catches events that raced it).
    findings_sweep_seconds: float = Field(300.0, gt=0)


@lru_cache
def get_scoring_settings() -> ScoringSettings:
    return ScoringSettings()


@dataclass(frozen=True)
class ScoringResources:
    """What the scoring service's use cases need beside the shared runtime (``ctx.resources``)."""

    settings: ScoringSettings
    storage: Storage


def build_resources(_settings: Settings) -> ScoringResources:
    """``ServiceSpec.resources``: built once per runtime (from the service's own settings)."""
    own = get_scoring_settings()
    return ScoringResources(settings=own, storage=LocalStorage(own.storage_dir))


# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[ScoringResources]
