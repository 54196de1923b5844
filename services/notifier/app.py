"""The notifier service's FastAPI app and its spec (DESIGN §1)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.notifier.api import ROUTERS
from services.notifier.config import NotifierResources, build_resources
from services.notifier.handlers import HANDLERS
from services.notifier.models import foundation
from services.notifier.service.digest import digest_job
from services.notifier.service.dispatch import dispatch_job
from shared.app import build_app
from shared.reference import load_replicated_calendar, replicated_calendar_sync_job
from shared.runtime import ServiceSpec
from shared.settings import Settings

SPEC: ServiceSpec[NotifierResources] = ServiceSpec(
    name="notifier",
    title="Gongkai notifier 通知",
    description="Notifications (inbox, e-mail, SMS, webhooks), templates, delivery log, outbound integration endpoints.",
    tables=foundation,
    versions_dir=Path(__file__).parent / "migrations" / "versions",
    path_prefixes=("/api/v1/notifications", "/api/v1/inbox", "/api/v1/webhooks", "/api/v1/subscriptions"),
    routers=ROUTERS,
    handlers=HANDLERS,
    # The replicated calendar years, counted with from the start and kept in step (shared.reference).
    startup_hooks=[load_replicated_calendar],
    # The dispatcher sends what the deliveries table holds due; the digest goes out once a working day.
    background_jobs=[replicated_calendar_sync_job, dispatch_job, digest_job],
    # Routing and templates loaded and checked here: a broken one stops the service at startup.
    resources=build_resources,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app([SPEC], settings)
