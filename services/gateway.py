"""``gongkai gateway``: one origin for the five services in the distributed mode (DESIGN §10).

A small reverse proxy — Starlette (through FastAPI, for the offline docs and the problem handlers)
and one shared ``httpx.AsyncClient`` — so a front end sees what the embedded mode gives it on one
port. The routing table is derived from the services' own routers (:func:`routing_table`), never a
second list: each route's static head (``/api/v1/<noun>``, ``/api/v1/admin/<service>``,
``/appraisal``) goes to the service whose router declares it; ``/api/v1/me``, ``/api/v1/labels`` and
``/api/v1/_dev/…``, which shared/ serves in every service, go to one of them.

Bodies stream both ways (an upload or a download is never held in memory); method, path, query and
headers pass unchanged but the hop-by-hop ones; the ``Host`` the client used is kept (so links a
service builds point at the gateway), ``X-Forwarded-Proto/Host`` are set and ``X-Forwarded-For`` ends
with the client — as uvicorn resolved it, trusting a proxy in front only from ``FORWARDED_ALLOW_IPS``
(nginx's realip + ``$proxy_add_x_forwarded_for``) — so a service reads the client from its last
entry; the request id of the gateway's log line travels upstream as ``X-Request-ID``. An upstream
that cannot be reached is a 503 problem, one that breaks the exchange a 502, one that does not
answer in time a 504; a body over the services' limit is refused here, with a 413.

``/openapi.json`` merges the five services' documents as they run (paths and components, a
component two services define differently renamed ``<service>__<Name>`` with its references), so
``/docs`` and ``/redoc`` — from local assets, like every service's — show one API.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from services.embedded import all_specs
from shared.app import VERSION
from shared.body_limit import BodySizeLimitMiddleware
from shared.context import current_request_id
from shared.errors import install_problem_handlers, problem_response
from shared.observability import RequestContextMiddleware
from shared.runtime import ServiceSpec
from shared.settings import SERVICE_NAMES, Settings, get_settings

log = logging.getLogger("gongkai.gateway")

API_PREFIX = "/api/v1"
ADMIN_PREFIX = "/api/v1/admin"
# Served by shared/ in every service (who am I, the labels, the dev clock): any one will do.
SHARED_PREFIXES = ("/api/v1/me", "/api/v1/labels", "/api/v1/_dev")
SHARED_PATHS_SERVICE = "requests"
# What the gateway answers itself rather than forwarding.
OWN_PATHS = ("/healthz", "/readyz", "/metrics")

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded (plus those a Connection
# header names). Expect: the gateway reads the body itself; Date and Server: uvicorn sets its own.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer"}
    | {"transfer-encoding", "upgrade", "expect"}
)
FORWARDED = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id"})
UPSTREAM_ONLY = frozenset({"date", "server", "x-request-id"})
# Characters left as they are when a raw path or query is forwarded (RFC 3986 pchar, '%', '?'):
# only bytes a client should have escaped are escaped, so the upstream sees the same target.
_PATH_SAFE = "!$&'()*+,;=:@/%-._~"
_QUERY_SAFE = _PATH_SAFE + "?"

PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
UPSTREAM_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=5.0)
UPSTREAM_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
PROBE_TIMEOUT_SECONDS = 2.0
OPENAPI_TIMEOUT_SECONDS = 10.0


def owner_prefix(path: str) -> str:
    """The static head a route is routed by: ``/api/v1/admin/<service>``, ``/api/v1/<noun>``, or
    the first segment of a path outside the API (the public page ``/appraisal/{campaign}``)."""
    depth = 4 if path.startswith(ADMIN_PREFIX + "/") else 3 if path.startswith(API_PREFIX + "/") else 1
    head = path.strip("/").split("/")[:depth]
    if len(head) < depth or any(not segment or "{" in segment for segment in head):
        raise ValueError(f"route {path!r} has no static head of {depth} segments to route by")
    return "/" + "/".join(head)


def routing_table(specs: Sequence[ServiceSpec[Any]]) -> dict[str, str]:
    """Static path head → service, from the services' routers; two services claiming one head is a
    broken DESIGN §10 and refused here rather than routed to whichever came first."""
    table = dict.fromkeys(SHARED_PREFIXES, SHARED_PATHS_SERVICE)
    claims = [(f"{ADMIN_PREFIX}/{spec.name}", spec.name) for spec in specs]  # dead letters (shared.app)
    claims += [
        (owner_prefix(route.path), spec.name)
        for spec in specs
        for router in spec.routers
        for route in router.routes
        if isinstance(route, Route | Mount)
    ]
    for prefix, service in claims:
        if table.setdefault(prefix, service) != service:
            raise ValueError(f"{prefix} is claimed by both {table[prefix]} and {service}")
    return table


def owner_of(table: Mapping[str, str], path: str) -> str | None:
    """The service a path (or a path template) is routed to: its longest head in the table."""
    segments = path.split("/")
    for end in range(len(segments), 1, -1):
        service = table.get("/".join(segments[:end]))
        if service is not None:
            return service
    return None


def upstream_urls(settings: Settings) -> dict[str, str]:
    return {name: str(getattr(settings, f"{name}_url")).rstrip("/") for name in SERVICE_NAMES}


def _connection_tokens(headers: Iterable[tuple[bytes, bytes]]) -> set[str]:
    """The header names a ``Connection`` header declares hop-by-hop."""
    return {
        token.strip().lower()
        for name, value in headers
        if name.lower() == b"connection"
        for token in value.decode("latin-1").split(",")
    }


def _passed(headers: list[tuple[bytes, bytes]], dropped: frozenset[str]) -> list[tuple[bytes, bytes]]:
    drop = dropped | _connection_tokens(headers)
    return [(name, value) for name, value in headers if name.decode("latin-1").lower() not in drop]


def forwarded_headers(request: Request, request_id: str | None) -> list[tuple[bytes, bytes]]:
    """The client's headers for the upstream: hop-by-hop ones dropped, ``Host`` kept, and the
    ``X-Forwarded-*`` trio and the request id set (nginx's ``$proxy_add_x_forwarded_for``)."""
    headers = _passed(request.headers.raw, HOP_BY_HOP | FORWARDED)
    chain = [v.strip() for v in request.headers.getlist("x-forwarded-for") if v.strip()]
    if request.client is not None:
        chain.append(request.client.host)
    added = {
        "x-forwarded-for": ", ".join(chain),
        "x-forwarded-proto": request.url.scheme,
        "x-forwarded-host": request.headers.get("host", ""),
        "x-request-id": request_id or "",
    }
    return headers + [(k.encode(), v.encode("latin-1")) for k, v in added.items() if v]


def upstream_url(base: str, scope: Scope) -> httpx.URL:
    """The upstream's URL for the request's raw target: the client's escaping kept byte for byte."""
    raw_path = quote_from_bytes(scope.get("raw_path") or scope["path"].encode(), safe=_PATH_SAFE)
    query = quote_from_bytes(scope.get("query_string", b""), safe=_QUERY_SAFE)
    url = httpx.URL(base)
    target = url.raw_path.rstrip(b"/") + raw_path.encode() + (b"?" + query.encode() if query else b"")
    return url.copy_with(raw_path=target)


class UpstreamResponse(StreamingResponse):
    """The upstream's answer streamed to the client; the upstream exchange is closed however the
    stream ends (finished, upstream gone, client gone)."""

    def __init__(self, upstream: httpx.Response) -> None:
        super().__init__(upstream.aiter_raw(), status_code=upstream.status_code)
        self.upstream = upstream
        self.raw_headers = _passed(upstream.headers.raw, HOP_BY_HOP | UPSTREAM_ONLY)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.upstream.aclose()


def upstream_failure(request: Request, service: str, exc: httpx.HTTPError) -> JSONResponse:
    """What a client gets when the exchange with the upstream failed before its answer began."""
    log.warning("%s %s → %s failed: %r", request.method, request.url.path, service, exc)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return problem_response(
            503,
            "upstream_unavailable",
            "上游服务暂不可用",
            f"无法连接 {service} 服务，请稍后重试",
            request=request,
            headers={"Retry-After": "5"},
            service=service,
        )
    if isinstance(exc, httpx.TimeoutException):
        return problem_response(
            504, "gateway_timeout", "上游服务超时", f"{service} 服务未在时限内答复", request=request, service=service
        )
    return problem_response(
        502, "bad_gateway", "上游服务出错", f"{service} 服务的答复中断或无法解析", request=request, service=service
    )


def proxy_to(service: str, base: str) -> Callable[[Request], Awaitable[Response]]:
    async def forward(request: Request) -> Response:
        client: httpx.AsyncClient = request.app.state.client
        has_body = "content-length" in request.headers or "transfer-encoding" in request.headers
        outgoing = client.build_request(
            request.method,
            upstream_url(base, request.scope),
            headers=forwarded_headers(request, current_request_id()),
            content=request.stream() if has_body else None,
        )
        try:
            upstream = await client.send(outgoing, stream=True)
        except httpx.HTTPError as exc:
            return upstream_failure(request, service, exc)
        return UpstreamResponse(upstream)

    return forward


async def probe_all(
    client: httpx.AsyncClient, upstreams: Mapping[str, str], path: str, timeout: float
) -> dict[str, httpx.Response | str]:
    """GETs ``path`` of every upstream at once: each one's response, or why there was none."""

    async def probe(base: str) -> httpx.Response | str:
        try:
            return await client.get(base + path, timeout=timeout)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"[:300]

    answers = await asyncio.gather(*(probe(base) for base in upstreams.values()))
    return dict(zip(upstreams, answers, strict=True))


def _readiness(answer: httpx.Response | str) -> str:
    if isinstance(answer, str):
        return answer
    return "ok" if answer.status_code == 200 else f"HTTP {answer.status_code}"


def _is_json(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.headers.get("content-type", "").startswith("application/json")


def merge_openapi(documents: Mapping[str, dict[str, Any]], table: Mapping[str, str]) -> dict[str, Any]:
    """One OpenAPI document from the services' documents (service → document): each path from the
    service the gateway sends it to (the gateway's own ``/healthz`` … from the first that has
    them), components merged, and a component two services define differently renamed
    ``<service>__<Name>`` in each of them, references included — repeated, because a component
    that refers to a renamed one may differ afterwards too."""
    docs = {service: copy.deepcopy(doc) for service, doc in documents.items()}
    while clashes := _clashing_components(docs.values()):
        for service, doc in docs.items():
            _rename_components(doc, service, clashes)
    merged: dict[str, Any] = {
        "openapi": next(iter(docs.values()))["openapi"],
        "info": {
            "title": "Gongkai 公开 — 政务公开平台 (gateway)",
            "description": "\n\n".join(
                f"**{d['info']['title']}** — {d['info'].get('description', '')}" for d in docs.values()
            ),
            "version": VERSION,
        },
        "paths": {},
        "components": {},
    }
    for service, doc in docs.items():
        for path, item in doc.get("paths", {}).items():
            owner = owner_of(table, path)
            if owner == service or (owner is None and path in OWN_PATHS and path not in merged["paths"]):
                merged["paths"][path] = item
        for kind, components in doc.get("components", {}).items():
            merged["components"].setdefault(kind, {}).update(components)
    tags = {tag["name"]: tag for doc in docs.values() for tag in doc.get("tags", [])}
    if tags:
        merged["tags"] = list(tags.values())
    return merged


def _clashing_components(docs: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    seen: dict[tuple[str, str], Any] = {}
    clashes = set()
    for doc in docs:
        for kind, components in doc.get("components", {}).items():
            for name, definition in components.items():
                if seen.setdefault((kind, name), definition) != definition:
                    clashes.add((kind, name))
    return clashes


def _rename_components(doc: dict[str, Any], service: str, clashes: set[tuple[str, str]]) -> None:
    components = doc.get("components", {})
    renames = {}
    for kind, name in clashes:
        if name in components.get(kind, {}):
            components[kind][f"{service}__{name}"] = components[kind].pop(name)
            renames[f"#/components/{kind}/{name}"] = f"#/components/{kind}/{service}__{name}"
    if renames:
        _rewrite_refs(doc, renames)


def _rewrite_refs(node: Any, renames: Mapping[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in renames:
            node["$ref"] = renames[ref]
        for value in node.values():
            _rewrite_refs(value, renames)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, renames)


def create_gateway(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    upstreams = upstream_urls(settings)
    table = routing_table(all_specs())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # trust_env off: an HTTP(S)_PROXY meant for the outside world must not carry internal calls.
        # No cookie kept: one user's Set-Cookie must never ride along on another user's request.
        async with httpx.AsyncClient(
            timeout=UPSTREAM_TIMEOUT,
            limits=UPSTREAM_LIMITS,
            trust_env=False,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        ) as client:
            app.state.client = client
            yield

    app = FastAPIOffline(title="Gongkai 公开 — 政务公开平台 (gateway)", version=VERSION, lifespan=lifespan)
    # /docs and /redoc come from fastapi_offline as in every service; /openapi.json is the merged
    # document below, in place of FastAPI's own (the gateway documents no route of its own).
    app.router.routes[:] = [route for route in app.router.routes if getattr(route, "path", None) != app.openapi_url]
    install_problem_handlers(app)
    # The services' own body limit, enforced before forwarding: a service refusing a large body
    # early closes the connection with the upload unread, and the client would see a 502, not 413.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        """Ready when every upstream says it is ready."""
        answers = await probe_all(request.app.state.client, upstreams, "/readyz", PROBE_TIMEOUT_SECONDS)
        checks = {service: _readiness(answer) for service, answer in answers.items()}
        if all(check == "ok" for check in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        late = ", ".join(service for service, check in checks.items() if check != "ok")
        return problem_response(
            503, "not_ready", "服务未就绪", f"上游服务未就绪：{late}", request=request, checks=checks
        )

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def openapi(request: Request) -> Response:
        answers = await probe_all(request.app.state.client, upstreams, "/openapi.json", OPENAPI_TIMEOUT_SECONDS)
        documents = {s: a.json() for s, a in answers.items() if not isinstance(a, str) and _is_json(a)}
        missing = [service for service in upstreams if service not in documents]
        if missing:
            # A document without some services would let a client generator drop their API silently.
            return problem_response(
                503,
                "upstream_unavailable",
                "上游服务暂不可用",
                f"无法取得 {', '.join(missing)} 服务的接口文档，请稍后重试",
                request=request,
                headers={"Retry-After": "5"},
                services=missing,
            )
        return JSONResponse(merge_openapi(documents, table))

    for path, endpoint in {
        "/healthz": healthz,
        "/readyz": readyz,
        "/metrics": metrics,
        "/openapi.json": openapi,
    }.items():
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
    for prefix, service in table.items():
        forward = proxy_to(service, upstreams[service])
        # FastAPI routes rather than Starlette's: they label the gateway's metrics and access log
        # lines with the owner's head (``/api/v1/units/{rest:path}``).
        for path in (prefix, prefix + "/{rest:path}"):
            app.add_api_route(path, forward, methods=PROXIED_METHODS, include_in_schema=False)
    return app
