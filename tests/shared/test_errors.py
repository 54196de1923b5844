"""Problem responses (RFC 9457) and the body size limit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import httpx
import pytest
import sqlalchemy.exc
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.body_limit import BodySizeLimitMiddleware
from shared.context import request_id_var
from shared.errors import (
    PROBLEM_RESPONSES,
    PROBLEM_TYPE_BASE,
    ProblemError,
    conflict,
    forbidden,
    install_problem_handlers,
    not_found,
    problem_response,
    unauthorized,
)

MAX_BYTES = 256


class Applicant(BaseModel):
    name: str = Field(min_length=1)
    phone: str


class Application(BaseModel):
    applicant: Applicant
    content: str


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BYTES)

    @app.post("/applications", responses={k: PROBLEM_RESPONSES[k] for k in (400, 415, 422)})
    async def create(application: Application) -> dict[str, str]:
        return {"name": application.applicant.name}

    @app.get("/applications/{application_id}", responses={404: PROBLEM_RESPONSES[404]})
    async def get(application_id: int) -> dict[str, int]:
        if application_id == 1:
            raise not_found("申请", f"编号为 {application_id} 的申请不存在")
        return {"id": application_id}

    @app.post("/applications/{application_id}/reply")
    async def reply(application_id: int) -> None:  # noqa: ARG001 - declares the path parameter
        raise conflict("already_replied", "该申请已答复", current_status="replied", replied_on=date(2025, 3, 1))

    @app.get("/secret")
    async def secret() -> None:
        raise forbidden("仅政务公开办可见")

    @app.get("/login-required")
    async def login_required() -> None:
        raise unauthorized()

    @app.get("/teapot")
    async def teapot() -> None:
        raise StarletteHTTPException(429, headers={"Retry-After": "30"})

    @app.get("/odd-detail")
    async def odd_detail() -> None:
        raise StarletteHTTPException(406, detail={"accept": ["application/json"]})

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    @app.get("/database/{failure}")
    async def database(failure: str) -> None:
        too_many = asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already")
        raise {
            "raw-too-many": too_many,  # a raw asyncpg pool (the appraisal intake)
            "wrapped-too-many": sqlalchemy.exc.InternalError("SELECT 1", {}, too_many),
            "starting-up": asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
            "statement-timeout": asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
            "duplicate": sqlalchemy.exc.IntegrityError(
                "INSERT", {}, asyncpg.exceptions.UniqueViolationError("duplicate key")
            ),
        }[failure]

    @app.post("/echo-size")
    async def echo_size(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


def assert_problem(response: httpx.Response, status: int, code: str, title: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] == title
    assert body["type"] == PROBLEM_TYPE_BASE + code
    assert "detail" in body and "request_id" in body
    return body


async def test_problem_error_as_given(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/applications/1?phone=13800000000"), 404, "not_found", "申请不存在")
    assert body["detail"] == "编号为 1 的申请不存在"
    # The path only: query strings may carry personal data.
    assert body["instance"] == "/applications/1"


async def test_conflict_carries_extensions(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/applications/7/reply"), 409, "already_replied", "该申请已答复")
    assert body["current_status"] == "replied"
    assert body["replied_on"] == "2025-03-01"


async def test_forbidden_and_unauthorized(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/secret"), 403, "forbidden", "无权访问")
    response = await client.get("/login-required")
    assert_problem(response, 401, "unauthorized", "未认证或令牌无效")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_request_id_is_reported(client: httpx.AsyncClient) -> None:
    token = request_id_var.set("req-42")
    try:
        body = assert_problem(await client.get("/secret"), 403, "forbidden", "无权访问")
    finally:
        request_id_var.reset(token)
    assert body["request_id"] == "req-42"


async def test_unknown_path(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/nowhere"), 404, "not_found", "资源不存在")
    assert body["detail"] is None
    assert body["instance"] == "/nowhere"


async def test_method_not_allowed_keeps_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/secret")
    assert_problem(response, 405, "method_not_allowed", "不支持该请求方法")
    assert response.headers["allow"] == "GET"


async def test_other_http_exceptions(client: httpx.AsyncClient) -> None:
    response = await client.get("/teapot")
    assert_problem(response, 429, "too_many_requests", "请求过于频繁")
    assert response.headers["retry-after"] == "30"
    body = assert_problem(await client.get("/odd-detail"), 406, "not_acceptable", "无法提供所请求的响应格式")
    assert json.loads(body["detail"]) == {"accept": ["application/json"]}


async def test_path_parameter_validation(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/applications/abc"), 422, "validation_failed", "请求参数校验失败")
    assert [e["field"] for e in body["errors"]] == ["path.application_id"]


async def test_nested_validation_error_lists_field_path(client: httpx.AsyncClient) -> None:
    response = await client.post("/applications", json={"applicant": {"name": ""}, "content": "x"})
    body = assert_problem(response, 422, "validation_failed", "请求参数校验失败")
    errors = {e["field"]: e for e in body["errors"]}
    assert set(errors) == {"body.applicant.name", "body.applicant.phone"}
    assert errors["body.applicant.name"]["type"] == "string_too_short"
    assert errors["body.applicant.phone"]["type"] == "missing"
    assert all(e["message"] for e in body["errors"])


async def test_missing_body_lists_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/applications", headers={"content-type": "application/json"})
    body = assert_problem(response, 422, "validation_failed", "请求参数校验失败")
    assert body["errors"][0]["field"] == "body"
    assert body["errors"][0]["type"] == "missing"


async def test_wrong_json_shape_is_422(client: httpx.AsyncClient) -> None:
    body = assert_problem(
        await client.post("/applications", json=["not", "an", "object"]), 422, "validation_failed", "请求参数校验失败"
    )
    assert body["errors"][0]["field"] == "body"


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/applications", content=b'{"applicant": ', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400, "malformed_json", "请求体不是合法的 JSON")
    assert body["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_json_sent_with_wrong_content_type(client: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    content = json.dumps({"applicant": {"name": "张三", "phone": "1"}, "content": "x"}).encode()
    response = await client.post("/applications", content=content, headers=headers)
    assert_problem(response, 415, "unsupported_media_type", "不支持的请求体类型")


async def test_json_subtype_is_accepted(client: httpx.AsyncClient) -> None:
    content = json.dumps({"applicant": {"name": "张三", "phone": "1"}, "content": "x"}).encode()
    response = await client.post(
        "/applications", content=content, headers={"content-type": "application/merge-patch+json; charset=utf-8"}
    )
    assert response.status_code == 200
    assert response.json() == {"name": "张三"}


async def test_unhandled_exception_is_a_500_problem(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/boom")
    body = assert_problem(response, 500, "internal_error", "服务器内部错误")
    assert "hunter2" not in response.text
    assert body["instance"] == "/boom"
    assert any(r.exc_info and "hunter2" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.parametrize("failure", ["raw-too-many", "wrapped-too-many", "starting-up", "statement-timeout"])
async def test_a_database_out_of_connections_or_starting_is_503_not_500(
    client: httpx.AsyncClient, failure: str
) -> None:
    response = await client.get(f"/database/{failure}")
    assert_problem(response, 503, "database_unavailable", "数据库暂不可用")
    assert response.headers["retry-after"] == "5"


async def test_any_other_database_error_stays_a_500(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/database/duplicate"), 500, "internal_error", "服务器内部错误")


async def test_declared_content_length_over_limit(client: httpx.AsyncClient) -> None:
    response = await client.post("/echo-size", content=b"x" * (MAX_BYTES + 1))
    body = assert_problem(response, 413, "payload_too_large", "请求体过大")
    assert str(MAX_BYTES) in body["detail"]
    assert response.headers["connection"] == "close"


async def test_declared_content_length_is_not_read() -> None:
    """Refused on the header alone: the app is never called and the body never received."""
    reached: list[str] = []

    async def app(scope, receive, send):  # noqa: ARG001  # pragma: no cover - must not run (ASGI signature)
        reached.append("app")

    async def receive():
        reached.append("receive")
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "raw_path": b"/upload",
        "query_string": b"",
        "headers": [(b"content-length", str(10**9).encode())],
        "server": ("t", 80),
        "scheme": "http",
        "root_path": "",
    }
    await BodySizeLimitMiddleware(app, max_bytes=MAX_BYTES)(scope, receive, send)
    assert reached == []
    assert sent[0]["status"] == 413


async def test_streamed_body_over_limit(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 64

    response = await client.post("/echo-size", content=chunks())
    assert_problem(response, 413, "payload_too_large", "请求体过大")


async def test_streamed_json_body_over_limit(client: httpx.AsyncClient) -> None:
    """FastAPI's own body parsing must not turn the cut-off into a 400."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"applicant": {"name": "'
        for _ in range(10):
            yield b"z" * 64

    response = await client.post("/applications", content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413, "payload_too_large", "请求体过大")


async def test_streamed_body_under_limit_passes(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"y" * 64

    response = await client.post("/echo-size", content=chunks())
    assert response.status_code == 200
    assert response.json() == {"size": MAX_BYTES}


async def test_body_read_outside_handlers_still_gets_413() -> None:
    """A middleware reading the body above the app's exception handlers: the limit answers."""

    async def reads_everything(scope, receive, send):  # noqa: ARG001 - the ASGI signature
        while (await receive()).get("more_body"):
            pass
        raise AssertionError("unreachable: the limit cuts the body off")

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 64

    transport = httpx.ASGITransport(app=BodySizeLimitMiddleware(reads_everything, max_bytes=MAX_BYTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.post("/upload", content=chunks())
    assert_problem(response, 413, "payload_too_large", "请求体过大")


@pytest.mark.parametrize("value", ["abc", "-1", "+5", "1e3"])
async def test_malformed_content_length(value: str) -> None:
    transport = httpx.ASGITransport(app=BodySizeLimitMiddleware(build_app(), max_bytes=MAX_BYTES))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        request = c.build_request("POST", "/echo-size", content=b"x")
        request.headers["content-length"] = value
        response = await c.send(request)
    assert_problem(response, 400, "bad_request", "请求有误")


def test_problem_error_rejects_reserved_extensions_and_non_error_status() -> None:
    with pytest.raises(ValueError):
        ProblemError(409, "x", "标题", instance="/elsewhere")
    with pytest.raises(ValueError):
        ProblemError(200, "ok", "成功")


def test_problem_response_without_request() -> None:
    response = problem_response(409, "already_replied", "该申请已答复", count=2)
    assert response.media_type == "application/problem+json"
    body = json.loads(response.body)
    assert body["instance"] is None
    assert body["count"] == 2


def test_openapi_documents_problem_schema() -> None:
    schema = build_app().openapi()
    responses = schema["paths"]["/applications"]["post"]["responses"]
    assert responses["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationProblem"
    }
    assert responses["415"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert {"Problem", "ValidationProblem", "FieldError"} <= set(schema["components"]["schemas"])
