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
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from shared.auth import Principal, TokenVerifier, require_roles
from shared.bus import Bus, create_bus
from shared.clock import Clock, dev_clock_router
from shared.errors import PROBLEM_RESPONSES, BodySizeLimitMiddleware, install_problem_handlers, problem_response
from shared.idempotency import IdempotencyMiddleware
from shared.observability import RequestContextMiddleware
from shared.runtime import ServiceRuntime, ServiceSpec, runtime_dependency
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
    app.state.token_verifier = TokenVerifier(settings)
    app.state.runtimes = {}
    app.state.idempotency_stores = []

    install_problem_handlers(app)
    # Outermost first: request id and metrics see everything, then the size limit, then keys.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)

    app.include_router(_operations_router())
    if not settings.is_prod:
        app.include_router(dev_clock_router())
    for spec in specs:
        app.include_router(dead_letter_router(spec.name))
        for router in spec.routers:
            app.include_router(router)
    return app


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
