"""The accountability service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.accountability.api import ROUTERS
from services.accountability.config import AccountabilityResources, build_resources
from services.accountability.handlers import HANDLERS
from services.accountability.models import foundation
from services.accountability.service.sweeps import deadline_sweep_job
from shared.app import build_app
from shared.reference import load_replicated_calendar, replicated_calendar_sync_job
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC: ServiceSpec[AccountabilityResources] = ServiceSpec(
    name="accountability",
    title="Gongkai accountability 责任追究",
    description="Accountability cases (责任追究): violations, factors, hearings, decisions, sanctions, rectification orders, appeals.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    # DESIGN §10: accountability owns /cases, /rectification-orders, /appeals.
    path_prefixes=("/api/v1/cases", "/api/v1/rectification-orders", "/api/v1/appeals"),
    routers=ROUTERS,
    handlers=HANDLERS,
    # The replicated calendar years, counted with from the start and kept in step (shared.reference).
    startup_hooks=[load_replicated_calendar],
    background_jobs=[replicated_calendar_sync_job, deadline_sweep_job],
    resources=build_resources,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
