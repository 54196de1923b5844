"""The gateway (``gongkai gateway``, services/gateway.py) in front of five upstreams started here on
free ports — small echo apps that say which service they are and what reached them, serving each
service's real OpenAPI document: routing by the path owners of DESIGN §10, bodies streamed both
ways, headers, an upstream down or broken, an unknown path, the merged document.

Streaming is shown without timing anything: the upstream holds back the rest of a download until
the client has read its first part, and the client holds back the rest of an upload until the
upstream has received its first part — a gateway that buffered either would leave both waiting (a
hang guard then fails the test).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from services.embedded import all_specs
from services.gateway import OWN_PATHS, SHARED_PREFIXES, create_gateway, routing_table
from shared.app import build_app
from shared.settings import SERVICE_NAMES
from tests.support import make_settings

CHUNK = 256 * 1024
HANG_GUARD_SECONDS = 20.0


class Server:
    """An ASGI app served by uvicorn in a thread of this process, on a port the OS chose."""

    def __init__(self, app: Any) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_config=None, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            time.sleep(0.01)
        assert self.server.started, "the server did not start"
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.socket.close()


class Upstream:
    """A stand-in for one service: echoes what reached it, and streams on request (``X-Test``)."""

    def __init__(self, service: str, document: dict[str, Any]) -> None:
        self.service = service
        self.document = document
        self.url = ""  # once served
        self.upload_started = threading.Event()  # the first part of an upload arrived
        self.download_read = threading.Event()  # the client has the first part of a download
        self.download_released: bool | None = None
        self.app = Starlette(
            routes=[
                Route("/readyz", lambda _: JSONResponse({"status": "ready"})),
                Route("/openapi.json", lambda _: JSONResponse(self.document)),
                Route("/{path:path}", self.echo, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]),
            ]
        )

    async def echo(self, request: Request) -> Response:
        mode = request.headers.get("x-test")
        if mode == "download":
            return StreamingResponse(self.download(), media_type="application/octet-stream")
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if mode == "upload" and received >= CHUNK:
                self.upload_started.set()
        response = JSONResponse(
            {
                "service": self.service,
                "method": request.method,
                "raw_path": request.scope["raw_path"].decode(),
                "query": request.scope["query_string"].decode(),
                "headers": [[k.decode(), v.decode()] for k, v in request.headers.raw],
                "received": received,
            }
        )
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return response

    async def download(self) -> AsyncIterator[bytes]:
        yield b"x" * CHUNK
        self.download_released = await asyncio.to_thread(self.download_read.wait, HANG_GUARD_SECONDS)
        yield b"y" * CHUNK


class Refusing:
    """A port where nothing listens: an upstream that is down."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.url = f"http://127.0.0.1:{probe.getsockname()[1]}"


@contextmanager
def hanging_up() -> Iterator[str]:
    """An upstream that accepts each connection and closes it unanswered: a broken exchange."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stopping = threading.Event()

    def serve() -> None:
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopping.set()
        thread.join()
        listener.close()


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    """Each service's own OpenAPI document, as ``gongkai serve-one`` serves it."""
    settings = make_settings()
    return {spec.name: build_app([spec], settings).openapi() for spec in all_specs()}


@pytest.fixture(scope="module")
def upstreams(documents: dict[str, dict[str, Any]]) -> Iterator[dict[str, Upstream]]:
    stand_ins = {service: Upstream(service, documents[service]) for service in SERVICE_NAMES}
    with ExitStack() as servers:
        for upstream in stand_ins.values():
            upstream.url = servers.enter_context(Server(upstream.app)).url
        yield stand_ins


def gateway_settings(urls: dict[str, str]) -> Any:
    return make_settings(**{f"{service}_url": url for service, url in urls.items()})


@pytest.fixture(scope="module")
def gateway(upstreams: dict[str, Upstream]) -> Iterator[str]:
    urls = {service: upstream.url for service, upstream in upstreams.items()}
    with Server(create_gateway(gateway_settings(urls))) as server:
        yield server.url


@pytest.fixture(scope="module")
def broken_gateway(upstreams: dict[str, Upstream]) -> Iterator[str]:
    """Scoring hangs up on every request, notifier is down; the others answer."""
    urls = {service: upstream.url for service, upstream in upstreams.items()}
    with hanging_up() as scoring:
        urls.update(scoring=scoring, notifier=Refusing().url)
        with Server(create_gateway(gateway_settings(urls))) as server:
            yield server.url


@pytest.fixture
async def client(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway, timeout=HANG_GUARD_SECONDS * 2) as http:
        yield http


def example_path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", template)


def expected_routes() -> list[tuple[str, str]]:
    """(path, service) for every route each service declares, and the paths DESIGN §10 assigns."""
    routes = [(example_path(r.path), s.name) for s in all_specs() for router in s.routers for r in router.routes]
    routes += [(f"/api/v1/admin/{service}/dead-letters", service) for service in SERVICE_NAMES]
    routes += [("/api/v1/me", "requests"), ("/api/v1/labels", "requests"), ("/api/v1/_dev/clock", "requests")]
    return routes


async def test_every_route_of_every_service_reaches_its_owner(client: httpx.AsyncClient) -> None:
    answered = {}
    for path, _ in expected_routes():
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)
        answered[path] = response.json()["service"]
    assert answered == dict(expected_routes())
    assert {path for path, _ in expected_routes()} >= {"/appraisal/x1", "/api/v1/units", "/api/v1/cases/x1/decide"}


def test_the_routing_table_comes_from_the_routers_and_admits_no_clash() -> None:
    table = routing_table(all_specs())
    assert table["/api/v1/campaigns"] == table["/appraisal"] == "appraisal"
    assert {table[prefix] for prefix in SHARED_PREFIXES} == {"requests"}
    scoring = all_specs()[1]
    with pytest.raises(ValueError, match="claimed by both"):
        routing_table([scoring, replace(scoring, name="other")])


async def test_method_target_headers_and_body_pass_as_sent(client: httpx.AsyncClient, gateway: str) -> None:
    host = gateway.removeprefix("http://")
    async with httpx.AsyncClient(base_url=gateway) as someone_else:
        assert (await someone_else.get("/api/v1/units")).headers.get_list("set-cookie")
    response = await client.patch(
        "/api/v1/units/a%2Fb%20c?q=%E4%B8%AD%E6%96%87&x=1&x=2",
        content=b"{}" * 100,
        headers={
            "Content-Type": "application/json",
            "If-Match": '"3"',
            "Connection": "keep-alive, X-Private",
            "X-Private": "hop",
            "Keep-Alive": "timeout=5",
            "X-Forwarded-For": "10.0.0.9",
            "X-Request-ID": "req-gateway-1",
        },
    )
    echo = response.json()
    headers = dict(echo["headers"])
    assert (echo["service"], echo["method"], echo["received"]) == ("requests", "PATCH", 200)
    assert echo["raw_path"] == "/api/v1/units/a%2Fb%20c"
    assert echo["query"] == "q=%E4%B8%AD%E6%96%87&x=1&x=2"
    assert headers["host"] == headers["x-forwarded-host"] == host  # links the service builds point here
    # The chain as it came, then the client: here the address the local proxy (127.0.0.1, trusted
    # by uvicorn's FORWARDED_ALLOW_IPS) forwarded for — nginx's realip + $proxy_add_x_forwarded_for.
    assert headers["x-forwarded-for"] == "10.0.0.9, 10.0.0.9"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-request-id"] == "req-gateway-1"
    assert (headers["if-match"], headers["content-length"]) == ('"3"', "200")
    assert not {"x-private", "keep-alive", "cookie"} & set(headers)  # hop-by-hop; cookies the gateway saw
    assert "x-private" not in headers.get("connection", "").lower()
    assert response.headers.get_list("x-request-id") == ["req-gateway-1"]
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/; SameSite=lax", "b=2; Path=/; SameSite=lax"]


async def test_a_request_id_is_made_when_the_client_sends_none(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/inbox")
    headers = dict(response.json()["headers"])
    assert response.headers.get_list("x-request-id") == [headers["x-request-id"]]
    assert headers["x-forwarded-for"] == "127.0.0.1"


async def test_an_upload_streams_to_the_upstream(client: httpx.AsyncClient, upstreams: dict[str, Upstream]) -> None:
    upstream = upstreams["accountability"]

    async def body() -> AsyncIterator[bytes]:
        yield b"a" * CHUNK
        # The rest only once the upstream has the first part: a buffering gateway never passes it on.
        assert await asyncio.to_thread(upstream.upload_started.wait, HANG_GUARD_SECONDS), "upload was buffered"
        yield b"b" * CHUNK

    response = await client.post("/api/v1/cases/x1/evidence", content=body(), headers={"X-Test": "upload"})
    assert response.json()["received"] == 2 * CHUNK


async def test_a_download_streams_to_the_client(client: httpx.AsyncClient, upstreams: dict[str, Upstream]) -> None:
    upstream = upstreams["scoring"]
    received = b""
    async with client.stream("GET", "/api/v1/schemes/x1/results.xlsx", headers={"X-Test": "download"}) as response:
        async for chunk in response.aiter_raw():
            received += chunk
            if len(received) >= CHUNK:
                upstream.download_read.set()  # the upstream sends the rest only now
    assert upstream.download_released, "download was buffered"
    assert received == b"x" * CHUNK + b"y" * CHUNK


async def test_an_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/nothing", "/", "/api/v2/units", "/appraisals/x"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"


async def test_a_body_over_the_limit_is_refused_at_the_gateway(client: httpx.AsyncClient) -> None:
    """The services' limit, applied before forwarding (a service refusing early closes the connection
    with the upload unread, which would reach the client as a 502)."""

    async def eleven_mebibytes() -> AsyncIterator[bytes]:
        for _ in range(11):
            yield b"z" * 1024 * 1024

    response = await client.post("/api/v1/requests/x1/attachments", content=eleven_mebibytes())
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [("/api/v1/inbox", 503, "upstream_unavailable"), ("/api/v1/sheets", 502, "bad_gateway")],
)
async def test_an_upstream_down_or_broken_is_a_problem(broken_gateway: str, path: str, status: int, code: str) -> None:
    async with httpx.AsyncClient(base_url=broken_gateway) as http:
        response = await http.post(path, json={})
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["code"] == code and problem["title"].startswith("上游服务")
        assert (await http.get("/api/v1/units")).json()["service"] == "requests"  # the others still answer


async def test_ready_when_every_upstream_is(client: httpx.AsyncClient, broken_gateway: str) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    await client.get("/api/v1/units/CT-GOV")
    metrics = (await client.get("/metrics")).text  # labelled by the owner's head, never the raw path
    assert 'gongkai_http_requests_total{method="GET",route="/api/v1/units/{rest:path}",status="200"}' in metrics
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json()["checks"]) == set(SERVICE_NAMES)
    async with httpx.AsyncClient(base_url=broken_gateway) as http:
        assert (await http.get("/healthz")).status_code == 200
        not_ready = await http.get("/readyz")
        assert not_ready.status_code == 503 and not_ready.json()["code"] == "not_ready"
        assert {s for s, check in not_ready.json()["checks"].items() if check != "ok"} == {"scoring", "notifier"}
        document = await http.get("/openapi.json")  # no half a document for a client generator
        assert document.status_code == 503 and set(document.json()["services"]) == {"scoring", "notifier"}


async def test_the_document_merges_the_five_like_the_embedded_one(
    client: httpx.AsyncClient, documents: dict[str, dict[str, Any]]
) -> None:
    merged = (await client.get("/openapi.json")).json()
    embedded = build_app(all_specs(), make_settings()).openapi()
    assert set(merged["paths"]) == set(embedded["paths"])
    assert set(OWN_PATHS) <= set(merged["paths"])
    schemas = merged["components"]["schemas"]
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', _dumps(merged)))
    assert refs <= set(schemas), f"dangling references: {refs - set(schemas)}"
    # Two services' AttachmentOut differ: each keeps its own, under its name, where it answers.
    assert schemas["requests__AttachmentOut"] == documents["requests"]["components"]["schemas"]["AttachmentOut"]
    assert schemas["scoring__AttachmentOut"] == documents["scoring"]["components"]["schemas"]["AttachmentOut"]
    sheet_upload = merged["paths"]["/api/v1/sheets/{sheet_id}/entries/{entry_id}/attachments"]["post"]
    assert "scoring__AttachmentOut" in _dumps(sheet_upload["responses"])
    assert "Problem" in schemas  # shared/ defines it once for all
    page = await client.get("/docs")
    assert page.status_code == 200 and "/static-offline-docs/swagger-ui-bundle.js" in page.text
    assert (await client.get("/static-offline-docs/swagger-ui-bundle.js")).status_code == 200


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
