"""The scoring service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.scoring.api import ROUTERS
from services.scoring.cli import cli
from services.scoring.config import ScoringResources, build_resources
from services.scoring.handlers import HANDLERS
from services.scoring.models import foundation
from services.scoring.service.demo import seed_demo
from services.scoring.service.findings import findings_sweep_job
from shared.app import build_app
from shared.reference import load_replicated_calendar, replicated_calendar_sync_job
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC: ServiceSpec[ScoringResources] = ServiceSpec(
    name="scoring",
    title="Gongkai scoring 政务公开考核",
    description="Appraisal schemes (考核方案), indicator trees, score sheets, deductions, grades and rankings.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    # DESIGN §10: scoring owns /schemes and /sheets.
    path_prefixes=("/api/v1/schemes", "/api/v1/sheets"),
    routers=ROUTERS,
    handlers=HANDLERS,
    # The replicated calendar years, counted with from the start and kept in step (shared.reference).
    startup_hooks=[load_replicated_calendar],
    background_jobs=[replicated_calendar_sync_job, findings_sweep_job],
    resources=build_resources,
    cli=cli,
    demo=seed_demo,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
