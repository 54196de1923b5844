"""All five services in one process: the embedded mode (DESIGN §2) and the service catalogue."""

from __future__ import annotations

from importlib import import_module

from fastapi import FastAPI

from shared.app import build_app
from shared.db import is_sqlite_url
from shared.runtime import ServiceSpec
from shared.settings import SERVICE_NAMES, Settings, get_settings


def spec_of(name: str) -> ServiceSpec:
    if name not in SERVICE_NAMES:
        raise KeyError(f"unknown service {name!r}; one of {', '.join(SERVICE_NAMES)}")
    return import_module(f"services.{name}.app").SPEC


def all_specs() -> list[ServiceSpec]:
    return [spec_of(name) for name in SERVICE_NAMES]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The embedded app. Its SQLite files are migrated on start — only the embedded mode does
    that; PostgreSQL databases are migrated by ``gongkai migrate`` as a step of its own."""
    settings = settings or get_settings()
    all_sqlite = all(is_sqlite_url(settings.database_url(name)) for name in SERVICE_NAMES)
    return build_app(all_specs(), settings, migrate_on_start=all_sqlite)
