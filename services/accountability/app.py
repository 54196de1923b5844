"""The accountability service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.accountability.api import router
from services.accountability.handlers import HANDLERS
from services.accountability.models import foundation
from shared.app import build_app
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC = ServiceSpec(
    name="accountability",
    title="Gongkai accountability 责任追究",
    description="Accountability cases (责任追究): violations, factors, hearings, decisions, sanctions, rectification orders, appeals.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    path_prefixes=("/api/v1/cases",),
    routers=[router],
    handlers=HANDLERS,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
