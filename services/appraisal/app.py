"""The appraisal service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.appraisal.api import router
from services.appraisal.handlers import HANDLERS
from services.appraisal.models import foundation
from shared.app import build_app
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC = ServiceSpec(
    name="appraisal",
    title="Gongkai appraisal 社会评议",
    description="Public-appraisal campaigns (社会评议): questionnaires, responses, panels, third-party scores, results.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    path_prefixes=("/api/v1/campaigns",),
    routers=[router],
    handlers=HANDLERS,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
