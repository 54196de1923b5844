"""The appraisal service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.appraisal.api import ROUTERS
from services.appraisal.config import AppraisalResources, build_resources
from services.appraisal.handlers import HANDLERS
from services.appraisal.models import foundation
from services.appraisal.service.demo import seed_demo
from services.appraisal.service.rate_limits import rate_limit_purge_job
from services.appraisal.service.sweeps import close_sweep_job
from shared.app import build_app
from shared.reference import load_replicated_calendar, replicated_calendar_sync_job
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC: ServiceSpec[AppraisalResources] = ServiceSpec(
    name="appraisal",
    title="Gongkai appraisal 社会评议",
    description="Public-appraisal campaigns (社会评议): questionnaires, responses, panels, third-party scores, results.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    path_prefixes=("/api/v1/campaigns", "/appraisal"),
    routers=ROUTERS,
    handlers=HANDLERS,
    # The replicated calendar years, counted with from the start and kept in step (shared.reference).
    startup_hooks=[load_replicated_calendar],
    background_jobs=[replicated_calendar_sync_job, close_sweep_job, rate_limit_purge_job],
    resources=build_resources,
    demo=seed_demo,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
