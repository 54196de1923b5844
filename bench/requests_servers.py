"""The two HTTP servers of ``bench/requests.py`` (benchmark (a) of issue 3), as uvicorn factories.

``real_app`` is the requests service's own app (``services.requests.app.create_app``) on the bench
database, with the in-memory bus (``memory://bench``) and no background jobs, so that no relay or
consumer competes for the CPU. ``bare_app`` is the ceiling: one ``POST /bare`` that validates the
same JSON body with a small pydantic model and INSERTs the same kind of row into the same
``applications`` table through a raw asyncpg pool — no authorization, no encryption or keyed
hashes (the identity number is stored as given, the query-code index is a plain SHA-256), no audit
log, no response model beyond a few fields.

Both read the database URL from ``GONGKAI_BENCH_DATABASE_URL`` (a SQLAlchemy ``postgresql+asyncpg``
URL). ``GONGKAI_BENCH_PROFILE=<file>`` runs the server under cProfile and writes the stats to the
file when uvicorn exits (it is slower then: figures of a profiled run are not benchmark figures).

    .venv/bin/python -m uvicorn --factory bench.requests_servers:real_app --loop uvloop --http httptools --no-access-log
"""

from __future__ import annotations

import atexit
import hashlib
import os
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy.engine import make_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
POOL_MIN, POOL_MAX = 10, 20  # what the real app's engine allows: pool_size 10 + SQLAlchemy's max_overflow 10


def _url() -> str:
    return os.environ["GONGKAI_BENCH_DATABASE_URL"]


def _maybe_profile() -> None:
    target = os.environ.get("GONGKAI_BENCH_PROFILE")
    if not target:
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(target)

    atexit.register(dump)


def real_app() -> FastAPI:
    from services.requests.app import create_app
    from shared.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        requests_database_url=_url(),
        bus_url="memory://bench",
        log_level="WARNING",
        run_background_jobs=False,
    )
    app = create_app(settings)
    _maybe_profile()
    return app


class BareApplicant(BaseModel):
    type: str = Field(max_length=30)
    name: str = Field(min_length=1, max_length=200)
    id_type: str | None = Field(None, max_length=30)
    id_number: str | None = Field(None, max_length=40)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500)
    organization: str | None = Field(None, max_length=200)


class BareDelivery(BaseModel):
    format: str = Field(max_length=30)
    method: str = Field(max_length=30)


class BareCreate(BaseModel):
    unit_code: str = Field(min_length=1, max_length=64)
    channel: str = Field(max_length=20)
    applicant: BareApplicant
    description: str = Field(min_length=1, max_length=10_000)
    purpose: str | None = Field(None, max_length=2000)
    delivery: BareDelivery


class BareCreated(BaseModel):
    id: str
    tracking_no: str
    query_code: str
    state: str
    created_at: datetime


BARE_INSERT = """
INSERT INTO applications (
    id, tracking_no, query_code_index, unit_code, channel, applicant_type, applicant_name, applicant_id_type,
    applicant_id_number, applicant_id_index, applicant_phone, applicant_email, applicant_address,
    applicant_organization, applicant_sub, description, purpose, delivery_format, delivery_method, source_ref,
    state, rule_set, submitted_at, received_on, due_on, due_on_provisional, clock_running, version, created_at,
    updated_at
) VALUES (
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, $15, $16, $17, $18, NULL,
    'submitted', 'national_2019', $19, NULL, NULL, false, false, 1, $19, $19
)
"""


def bare_app() -> FastAPI:
    parsed = make_url(_url())
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["p"] = await asyncpg.create_pool(
            host=parsed.host,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database=parsed.database,
            min_size=POOL_MIN,
            max_size=POOL_MAX,
        )
        try:
            yield
        finally:
            await pool["p"].close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/bare", status_code=201, response_model=BareCreated)
    async def create(body: BareCreate) -> BareCreated:
        now = datetime.now(UTC)
        application_id = str(uuid.uuid4())
        query_code = secrets.token_hex(5).upper()
        a = body.applicant
        id_number = a.id_number.upper() if a.id_number else None
        for _ in range(5):
            # The real format's shape (GK + day + 8 random digits: tens of thousands of rows in one day
            # collide now and then), under a prefix of its own, retried on a collision.
            tracking_no = f"GB{now.astimezone(SHANGHAI):%Y%m%d}{secrets.randbelow(10**8):08d}"
            try:
                await pool["p"].execute(
                    BARE_INSERT, application_id, tracking_no, hashlib.sha256(query_code.encode()).hexdigest(),
                    body.unit_code, body.channel, a.type, a.name, a.id_type, id_number,
                    hashlib.sha256(id_number.encode()).hexdigest() if id_number else None, a.phone, a.email, a.address,
                    a.organization, body.description, body.purpose, body.delivery.format, body.delivery.method, now,
                )  # fmt: skip
                break
            except asyncpg.UniqueViolationError:
                continue
        return BareCreated(
            id=application_id, tracking_no=tracking_no, query_code=query_code, state="submitted", created_at=now
        )

    _maybe_profile()
    return app
