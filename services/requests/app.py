"""The requests service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.requests.api import ROUTERS
from services.requests.cli import cli
from services.requests.config import RequestsResources, build_resources
from services.requests.handlers import HANDLERS
from services.requests.models import foundation
from services.requests.service.calendar import calendar_startup_hook, calendar_sync_job
from services.requests.service.demo import seed_demo
from services.requests.service.sweeps import deadline_sweep_job
from shared.app import build_app
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC: ServiceSpec[RequestsResources] = ServiceSpec(
    name="requests",
    title="Gongkai requests 依申请公开",
    description="Units directory, working-day calendar, disclosure applications (依申请公开) and their statutory clock, replies, administrative review/litigation records, annual-report statistics, 12345 and provincial intake.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    path_prefixes=(
        "/api/v1/requests",
        "/api/v1/units",
        "/api/v1/calendar",
        "/api/v1/reports",
        "/api/v1/integrations",
        "/api/v1/hotline",
    ),
    routers=ROUTERS,
    handlers=HANDLERS,
    background_jobs=[calendar_sync_job, deadline_sweep_job],
    startup_hooks=[calendar_startup_hook],
    resources=build_resources,
    cli=cli,
    demo=seed_demo,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
