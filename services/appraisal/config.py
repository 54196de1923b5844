"""Settings and resources of the appraisal service alone (prefix ``GONGKAI_APPRAISAL_``), beside the
shared ones."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import ProblemError
from shared.runtime import ServiceRuntime
from shared.settings import Settings

log = logging.getLogger("gongkai.appraisal")

# Published in this repository, so refused in prod (build_resources).
DEV_RESPONDENT_SECRET = "dev-appraisal-respondent-secret"
TEMPLATES_DIR = Path(__file__).parent / "templates"


class AppraisalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGKAI_APPRAISAL_", extra="ignore")

    # The key of the respondent hashes (HMAC-SHA256) and of the client-address hashes of the rate
    # limit. Changing it makes earlier respondents unrecognisable: rotate only between campaigns.
    respondent_secret: str = DEV_RESPONDENT_SECRET
    # Public responses (and page loads that post them) per client address per minute, counted in the
    # database so every replica shares the count. 0 turns the limit off.
    rate_limit_per_minute: int = Field(60, ge=0)
    # Behind the office's reverse proxy the client address is the last X-Forwarded-For entry it
    # added; only set this when such a proxy strips what clients send.
    trust_forwarded_for: bool = False
    # The link printed under the QR code (https://gk.example.gov.cn); empty: the request's own host.
    public_base_url: str = ""
    # How often each replica closes the campaigns whose closing time has passed.
    close_sweep_interval_seconds: float = Field(60.0, gt=0)
    # At most this many rows in a third-party score file.
    max_import_rows: int = Field(5000, gt=0)


@lru_cache
def get_appraisal_settings() -> AppraisalSettings:
    return AppraisalSettings()


class Keyed:
    """HMAC-SHA256 under the service's secret: what is stored of respondents and client addresses.
    ``usable=False`` (prod with the published dev secret): every use is a 503, nothing is hashed."""

    def __init__(self, secret: str, *, usable: bool = True) -> None:
        self._key = hashlib.sha256(b"gongkai.appraisal:" + secret.encode()).digest()
        self.usable = usable

    def hash(self, message: bytes) -> str:
        if not self.usable:
            raise ProblemError(
                503, "not_configured", "服务尚未配置", "生产环境须设置 GONGKAI_APPRAISAL_RESPONDENT_SECRET"
            )
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AppraisalResources:
    """What the appraisal service's use cases need beside the shared runtime (``ctx.resources``)."""

    settings: AppraisalSettings
    keyed: Keyed
    templates: Environment


def build_resources(settings: Settings) -> AppraisalResources:
    own = get_appraisal_settings()
    # Prod with the published dev secret: the service starts (the rest of it works) but refuses to
    # hash respondents or addresses (503 not_configured) and says so in its log.
    usable = not (settings.is_prod and own.respondent_secret == DEV_RESPONDENT_SECRET)
    if not usable:
        log.error("GONGKAI_APPRAISAL_RESPONDENT_SECRET is the published dev value: responses are refused")
    templates = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        enable_async=False,
    )
    return AppraisalResources(settings=own, keyed=Keyed(own.respondent_secret, usable=usable), templates=templates)


# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[AppraisalResources]
