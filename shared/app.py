"""The FastAPI application around one or several services.

``build_app([spec])`` is one service on its own; ``build_app(all_specs)`` is the embedded mode,
where the five APIs share one port (their paths never collide, DESIGN §10). Either way the app
serves ``/healthz``, ``/readyz``, ``/metrics``, ``/openapi.json``, ``/docs`` and ``/redoc`` (from
local files: government networks are often offline), the dev clock outside prod, and each
service's dead-letter admin API.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from starlette.middleware.cors import CORSMiddleware

from shared.auth import Principal, TokenVerifier, require_roles
from shared.body_limit import BodySizeLimitMiddleware
from shared.bus import Bus, create_bus
from shared.clock import Clock, dev_clock_router
from shared.crypto import FieldCipher
from shared.errors import (
    PROBLEM_RESPONSES,
    LastResortMiddleware,
    install_problem_handlers,
    problem_response,
)
from shared.etags import mark_required_parameters
from shared.idempotency import IdempotencyMiddleware
from shared.inputs import InputGuardMiddleware, install_input_handlers
from shared.labels import labels_router
from shared.me import me_router
from shared.observability import RequestContextMiddleware
from shared.runtime import ServiceRuntime, ServiceSpec, is_session_dependency, runtime_dependency
from shared.settings import Settings, get_settings

log = logging.getLogger("gongkai.app")

VERSION = "0.1.0"
READY_TIMEOUT_SECONDS = 2.0


class DeadLetterOut(BaseModel):
    event_id: str
    type: str
    attempts: int = Field(description="失败次数 / handler failures before it was parked")
    last_error: str | None
    died_at: datetime | None
    event: dict[str, Any] | str = Field(description="the CloudEvent as it was delivered")


class DeadLetterList(BaseModel):
    items: list[DeadLetterOut]


class ReplayRequest(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{}, {"event_ids": ["7d0f6c2e-5b1a-4c55-9a43-0f3e2b1d9c88"]}]}}

    event_ids: list[str] | None = Field(
        None, max_length=10_000, description="只重放这些事件 / replay only these ids; omit to replay all"
    )


class ReplayResult(BaseModel):
    replayed: int


def dead_letter_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/api/v1/admin/{service}/dead-letters", tags=["admin"], responses=PROBLEM_RESPONSES)
    runtime = runtime_dependency(service)
    admin = require_roles("admin")

    @router.get("", response_model=DeadLetterList, summary=f"死信列表 / dead letters of {service}")
    async def list_dead_letters(rt: ServiceRuntime = Depends(runtime), _: Principal = Depends(admin)) -> DeadLetterList:
        letters = await rt.bus.dead_letters(service)
        return DeadLetterList(items=[DeadLetterOut(**letter.__dict__) for letter in letters])

    @router.post("/replay", response_model=ReplayResult, summary=f"重放死信 / replay dead letters of {service}")
    async def replay_dead_letters(
        body: ReplayRequest = Body(default_factory=ReplayRequest),
        rt: ServiceRuntime = Depends(runtime),
        _: Principal = Depends(admin),
    ) -> ReplayResult:
        return ReplayResult(replayed=await rt.bus.replay_dead_letters(service, body.event_ids))

    return router


def build_app(
    specs: Sequence[ServiceSpec],
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    bus: Bus | None = None,
    migrate_on_start: bool = False,
    title: str | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    clock = clock or Clock()
    owns_bus = bus is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        the_bus = bus or create_bus(settings.bus_url)
        await the_bus.start()
        runtimes = {spec.name: ServiceRuntime(spec, settings, clock=clock, bus=the_bus) for spec in specs}
        app.state.bus = the_bus
        app.state.runtimes = runtimes
        app.state.idempotency_stores = [rt.idempotency for rt in runtimes.values()]
        try:
            if migrate_on_start:
                for rt in runtimes.values():
                    await rt.migrate()
            for rt in runtimes.values():
                await rt.run_startup_hooks()
            # Queues first, so the relays' first events find their consumers bound.
            for rt in runtimes.values():
                await rt.start_consuming()
            for rt in runtimes.values():
                rt.start_background()
            yield
        finally:
            for rt in runtimes.values():
                await rt.stop()
            if owns_bus:
                await the_bus.close()

    if len(specs) == 1:
        spec = specs[0]
        app_title, description = title or spec.title, spec.description
    else:
        app_title = title or "Gongkai 公开 — 政务公开平台 (embedded)"
        description = "\n\n".join(f"**{s.title}** — {s.description}" for s in specs)
    app = FastAPIOffline(title=app_title, description=description, version=VERSION, lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = clock
    # Refuse to start (not a 500 at the first request) with a published dev secret in prod: the
    # JWT secret (TokenVerifier) and the field-encryption key (FieldCipher).
    app.state.token_verifier = TokenVerifier(settings)
    FieldCipher(settings)
    app.state.runtimes = {}
    app.state.idempotency_stores = []

    install_problem_handlers(app)
    install_input_handlers(app)
    # Outermost first: request id and metrics see everything, then the size limit, then the
    # text the databases cannot store (shared.inputs), then keys.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    # An unhandled exception answered as the 500 problem here, inside CORS (shared.errors).
    app.add_middleware(LastResortMiddleware)
    # Outermost of all: a preflight is answered before anything else, and every answer (problems
    # included) carries the CORS headers a browser needs to read it.
    origins = cors_origins(settings)
    if origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=origins,
            allow_credentials="*" not in origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )

    app.include_router(_operations_router())
    # Who am I and the labels: from shared, once, whatever the number of services (DESIGN §10).
    app.include_router(me_router(settings))
    app.include_router(labels_router([spec.versions_dir.parent.parent for spec in specs]))
    if not settings.is_prod:
        app.include_router(dev_clock_router())
    for spec in specs:
        app.include_router(dead_letter_router(spec.name))
        for router in spec.routers:
            app.include_router(router)
    _session_dependencies_last(app)
    _openapi_marks_required_parameters(app)
    return app


def _session_dependencies_last(app: FastAPI) -> None:
    """Each route resolves its session dependency after all its other dependencies, so the token,
    the roles and an integration's signature are checked before the transaction opens and before
    an ``Idempotency-Key`` is taken or its stored response replayed (shared.idempotency)."""
    _sort_dependencies(app.router.routes)


def _sort_dependencies(routes: Sequence[Any]) -> None:
    # FastAPI (0.163) includes routers lazily: an included router's routes are "effective
    # contexts", each with a dependant of its own, built once per inclusion and cached. They are
    # built here and sorted in place; tests/foundation/test_idempotency.py guards this.
    for route in routes:
        dependant = getattr(route, "dependant", None)
        if isinstance(route, APIRoute) or dependant is not None:
            if dependant is not None:
                dependant.dependencies.sort(key=lambda d: is_session_dependency(d.call))
        elif hasattr(route, "effective_candidates"):
            _sort_dependencies(route.effective_candidates())
            _sort_dependencies(route.effective_low_priority_routes())


def _openapi_marks_required_parameters(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = mark_required_parameters(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# CORS (browser front ends on other origins): what their requests use and what they must read.
CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", "X-Request-ID"]
CORS_EXPOSED_HEADERS = ["ETag", "Location", "X-Request-ID", "Retry-After", "Content-Disposition", "Allow"]
# The usual local dev servers (Vite, create-react-app/Next, Vue CLI/webpack, Angular), dev/test only.
DEV_CORS_ORIGINS = [f"http://{host}:{port}" for port in (3000, 4200, 5173, 8080) for host in ("localhost", "127.0.0.1")]


def cors_origins(settings: Settings) -> list[str]:
    """``GONGKAI_CORS_ORIGINS`` (comma-separated; ``*`` for any, then without credentials), or the
    local dev servers in dev/test, or none in prod."""
    if settings.cors_origins is not None:
        return [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]
    return [] if settings.is_prod else list(DEV_CORS_ORIGINS)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as a problem (not plain text)."""

    def preflight_response(self, request_headers: Any) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = response.body.decode(errors="replace") if isinstance(response.body, bytes) else ""
        reasons = {
            "origin": "该来源（Origin）不在 GONGKAI_CORS_ORIGINS 允许之列",
            "method": "不允许该请求方法",
            "headers": "不允许这些请求头",
        }
        detail = "；".join(text for key, text in reasons.items() if key in refused.lower()) or refused
        problem = problem_response(400, "cors_preflight_refused", "跨域预检请求被拒绝", detail)
        for name in ("vary",):
            if name in response.headers:
                problem.headers[name] = response.headers[name]
        return problem


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="存活检查 / liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="就绪检查 / readiness: every database answers (the broker is reported, not required)",
        responses=PROBLEM_RESPONSES,
    )
    async def readyz(request: Request) -> Response:
        """Ready = this process can take writes: each of its databases answers and its startup
        hooks ran. The broker is reported (``checks.bus``, the ``gongkai_bus_connected`` metric, a
        log line) but does not count: writes go to the outbox and wait there, so taking every
        replica out of a load balancer during a broker outage would only turn a delay into a
        refusal."""
        runtimes: dict[str, ServiceRuntime] = request.app.state.runtimes
        probes: dict[str, Awaitable[None]] = {f"database:{name}": rt.check_database() for name, rt in runtimes.items()}
        probes.update({f"startup:{name}": rt.check_started() for name, rt in runtimes.items() if rt.spec.startup_hooks})
        bus: Bus | None = getattr(request.app.state, "bus", None)
        if bus is not None:
            probes["bus"] = bus.ping()
        checks = await _within(READY_TIMEOUT_SECONDS, probes)
        if bus is not None and checks["bus"] != "ok":
            log.warning("not connected to the message broker (still ready): %s", checks["bus"])
        if not runtimes or bus is None or any(v != "ok" for k, v in checks.items() if k != "bus"):
            return problem_response(
                503, "not_ready", "服务未就绪", "数据库不可达或启动未完成", request=request, checks=checks
            )
        return JSONResponse({"status": "ready", "checks": checks})

    @router.get("/metrics", summary="Prometheus 指标 / metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _within(budget: float, probes: Mapping[str, Awaitable[None]]) -> dict[str, str]:
    """Runs the probes at once and answers within ``budget`` whatever they do: one that has not
    finished is cancelled and reported, never awaited — a driver stuck on a frozen connection may
    take far longer to unwind than the budget (``asyncio.wait_for`` would wait for it)."""
    tasks = {name: asyncio.ensure_future(probe) for name, probe in probes.items()}
    if tasks:
        await asyncio.wait(tasks.values(), timeout=budget)
    checks: dict[str, str] = {}
    for name, task in tasks.items():
        if not task.done():
            task.cancel()
            task.add_done_callback(_discard_outcome)
            checks[name] = f"TimeoutError: no answer within {budget:g} s"
        elif (error := task.exception()) is not None:
            checks[name] = f"{type(error).__name__}: {error}"[:300]
        else:
            checks[name] = "ok"
    return checks


def _discard_outcome(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved
