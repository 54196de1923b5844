"""The two HTTP servers of ``bench/appraisal.py``, as uvicorn factories.

``real_app`` is the appraisal service's own app on the bench database (in-memory bus, no background
jobs), with the client address taken from X-Forwarded-For (``GONGKAI_APPRAISAL_TRUST_FORWARDED_FOR``
is set by the bench) so each simulated citizen has an address of its own; the duplicate check
(keyed hash under a unique constraint) and the rate limit (an upsert per request, committed
whatever the answer's fate) are on. ``bare_app`` is the ceiling: ``POST /bare`` validates a
similar body with a small pydantic model and INSERTs one row into the same ``responses`` table
through a raw asyncpg pool — no campaign read, no questionnaire check, no rate limit, no rating
rows, no audit.

    GONGKAI_BENCH_DATABASE_URL=postgresql+asyncpg://… python -m uvicorn --factory bench.appraisal_servers:real_app
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy.engine import make_url


def _url() -> str:
    return os.environ["GONGKAI_BENCH_DATABASE_URL"]


def _built(app: FastAPI) -> FastAPI:
    """``--gc-freeze``: what was allocated while building the app (modules, schemas, routes — most
    of the heap) leaves the collector's view, so a full collection no longer walks it (measured
    under load: pauses of up to 125 ms without, 3 ms with)."""
    if os.environ.get("GONGKAI_BENCH_GC_FREEZE"):
        gc.freeze()
    return app


def real_app() -> FastAPI:
    from services.appraisal.app import create_app
    from shared.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="dev",
        appraisal_database_url=_url(),
        bus_url="memory://bench",
        run_background_jobs=False,
        log_json=False,
    )
    return _built(create_app(settings))


class BareIn(BaseModel):
    unit_code: str = Field(max_length=64)
    answers: dict[str, str]
    respondent_token: str = Field(min_length=16, max_length=256)


def bare_app() -> FastAPI:
    url = make_url(_url()).set(drivername="postgresql")
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool["p"] = await asyncpg.create_pool(url.render_as_string(hide_password=False), min_size=10, max_size=20)
        yield
        await pool["p"].close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/bare", status_code=201)
    async def bare(body: BareIn) -> dict[str, str]:
        digest = hashlib.sha256(body.respondent_token.encode()).hexdigest()
        await pool["p"].execute(
            "INSERT INTO responses (campaign_id, unit_code, method, respondent_hash, choices, texts, submitted_at)"
            " VALUES ($1, $2, 'public', $3, '{}', $4, $5)",
            "bare",
            body.unit_code,
            digest,
            json.dumps({}),
            datetime.now(UTC),
        )
        return {"unit_code": body.unit_code}

    return _built(app)
