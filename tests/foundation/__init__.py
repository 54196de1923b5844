"""Tests of the foundation every service stands on: the app shell, idempotency, the audit log,
migrations and the operator's command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI


@asynccontextmanager
async def serving(app: FastAPI, *, raise_app_exceptions: bool = True) -> AsyncIterator[httpx.AsyncClient]:
    """A client for ``app`` with its lifespan running (httpx's ASGITransport does not run it)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://gongkai.test") as client:
            yield client


def head_revision(service: str) -> str:
    """A service's latest Alembic revision (its migrations grow with its issues)."""
    from alembic.script import ScriptDirectory

    from services.embedded import spec_of
    from shared.migrations import alembic_config

    spec = spec_of(service)
    config = alembic_config(service, "sqlite://", spec.versions_dir, spec.tables.metadata)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
