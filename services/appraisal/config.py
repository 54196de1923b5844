"""Settings and resources of the appraisal service alone (prefix ``GONGKAI_APPRAISAL_``), beside the
shared ones."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import asyncpg
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

from services.appraisal.domain.campaigns import CampaignDefinition
from shared.db import COMMAND_TIMEOUT_GRACE_SECONDS
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
        return hmac.digest(self._key, message, "sha256").hex()  # one-shot: no HMAC object


class IntakePool:
    """PostgreSQL only: a small asyncpg pool on the service's database for the public intake's
    single autocommitted statements (``service/responses.py``, ``service/rate_limits.py``), beside
    the SQLAlchemy engine. The engine's checkout costs three round trips (its pre-ping is BEGIN,
    a ping, ROLLBACK with asyncpg) and each statement a greenlet hop; here a checkout is free and
    a release sends nothing (the statements leave no session state: no transaction, no SET, no
    LISTEN). Opened at first use with the engine's URL and time limits; closed when the runtime
    disposes the engine (its ``stop``)."""

    RELEASE_SECONDS = 5.0

    def __init__(self) -> None:
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def fetchrow(self, runtime: ServiceRuntime[Any], sql: str, *args: Any) -> asyncpg.Record:
        """One autocommitted statement's first row. A database out of reach, out of connections or
        past its statement timeout is the 503 every service gives (``shared.errors`` maps asyncpg's
        errors as it maps SQLAlchemy's)."""
        pool = self._pool or await self._get(runtime)
        return await pool.fetchrow(sql, *args)

    async def _get(self, runtime: ServiceRuntime[Any]) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await self._open(runtime.engine, runtime.settings)
        return self._pool

    async def _open(self, engine: AsyncEngine, settings: Settings) -> asyncpg.Pool:
        _args, options = engine.dialect.create_connect_args(engine.url)
        for sqlalchemy_only in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_creator_fn"):
            options.pop(sqlalchemy_only, None)
        timeout = settings.database_statement_timeout_seconds
        pool = await asyncpg.create_pool(
            **options,
            min_size=1,
            max_size=settings.database_pool_size,
            timeout=settings.database_connect_timeout_seconds,
            command_timeout=timeout + COMMAND_TIMEOUT_GRACE_SECONDS,
            server_settings={"statement_timeout": str(round(timeout * 1000))},
            reset=_nothing_to_reset,
        )
        # AsyncEngine.dispose runs the sync dispose in a greenlet: the close can be awaited there.
        event.listen(engine.sync_engine, "engine_disposed", lambda _engine: await_(self.close()), once=True)
        return pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), self.RELEASE_SECONDS)
        except TimeoutError:
            pool.terminate()


async def _nothing_to_reset(_connection: Any) -> None:
    """asyncpg rolls back a connection left in a transaction itself; the default reset query
    (a round trip per release) undoes session state the intake never sets."""


class Definitions:
    """Campaign definitions by id, per process, as read once the campaign left ``draft``: from
    then on what an answer is checked against (target units, methods, questionnaire) is locked
    (``campaigns.check_editable``), so an entry never goes stale for that use; the window and
    the state, which do change, are read live by the intake's statement."""

    SIZE = 256

    def __init__(self) -> None:
        self._entries: OrderedDict[str, CampaignDefinition] = OrderedDict()

    def get(self, campaign_id: str) -> CampaignDefinition | None:
        return self._entries.get(campaign_id)

    def put(self, campaign_id: str, definition: CampaignDefinition) -> None:
        self._entries[campaign_id] = definition
        if len(self._entries) > self.SIZE:
            self._entries.popitem(last=False)


@dataclass(frozen=True)
class AppraisalResources:
    """What the appraisal service's use cases need beside the shared runtime (``ctx.resources``)."""

    settings: AppraisalSettings
    keyed: Keyed
    templates: Environment
    intake_pool: IntakePool = field(default_factory=IntakePool)
    definitions: Definitions = field(default_factory=Definitions)


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
