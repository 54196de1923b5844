"""RFC 9457 problem responses (问题详情) for every service (DESIGN §10).

Every error leaves a service as ``application/problem+json``::

    {
      "type": "https://gongkai.gov.cn/problems/<code>",
      "title": "<中文标题>",
      "status": 404,
      "code": "<stable snake_case code>",
      "detail": "<中文说明>" | null,
      "instance": "/api/v1/requests/123",
      "request_id": "<request id>" | null,
      ...extensions
    }

Type scheme: ``type`` is always :data:`PROBLEM_TYPE_BASE` + ``code``, including for plain HTTP
errors (``…/problems/not_found``), so clients can key on either ``type`` or ``code`` and never
meet ``about:blank``. ``code`` is the contract; the ``title`` is for people and may be reworded.
``instance`` is the request path without the query string, which can carry personal data (a
citizen's phone number in a search) that has no place in logs and error trackers.

Bad input of any shape is a 4xx, never a 5xx: :func:`install_problem_handlers` maps FastAPI's
validation errors (including malformed JSON and non-JSON content types) and Starlette's
HTTP errors onto problems, and keeps a last-resort handler so even a bug answers with a 500
problem rather than plain text.
"""

from __future__ import annotations

import http
import json
import logging
from collections.abc import Mapping
from typing import Any

import asyncpg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import current_request_id, request_id_var
from shared.domain import DomainError
from shared.validation_messages import VALIDATION_PROBLEM_EXAMPLE, humanize_detail, translate

logger = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://gongkai.gov.cn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

# Members every problem has; extensions may not shadow them.
_RESERVED_MEMBERS = frozenset({"type", "title", "status", "code", "detail", "instance", "request_id"})

# Stable code and Chinese title for each HTTP status a service may answer with on its own.
STATUS_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "未认证或令牌无效"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的响应格式"),
    408: ("request_timeout", "请求超时"),
    409: ("conflict", "请求与资源当前状态冲突"),
    410: ("gone", "资源已被删除"),
    411: ("length_required", "缺少请求体长度"),
    412: ("precondition_failed", "前置条件不满足"),
    413: ("payload_too_large", "请求体过大"),
    414: ("uri_too_long", "请求地址过长"),
    415: ("unsupported_media_type", "不支持的请求体类型"),
    422: ("unprocessable_content", "请求内容无法处理"),
    428: ("precondition_required", "缺少前置条件"),
    429: ("too_many_requests", "请求过于频繁"),
    500: ("internal_error", "服务器内部错误"),
    501: ("not_implemented", "功能尚未实现"),
    502: ("bad_gateway", "上游服务出错"),
    503: ("service_unavailable", "服务暂不可用"),
    504: ("gateway_timeout", "上游服务超时"),
}


def _status_problem(status: int) -> tuple[str, str]:
    """Code and title for a bare HTTP status, falling back to the reason phrase for rare ones."""
    if status in STATUS_PROBLEMS:
        return STATUS_PROBLEMS[status]
    phrase = _reason_phrase(status)
    code = phrase.lower().replace(" ", "_").replace("-", "_") if phrase else None
    if status < 500:
        return code or "client_error", "请求错误"
    return code or "server_error", "服务器错误"


def _reason_phrase(status: int) -> str | None:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return None


class FieldError(BaseModel):
    """One invalid field (字段校验错误)."""

    field: str = Field(description="出错字段的路径，以点号连接，如 body.applicant.name")
    field_label: str = Field(description="字段的中文名称", examples=["受理单位代码"])
    message: str = Field(description="中文说明", examples=["受理单位代码至少须有 1 个字符"])
    message_en: str = Field(description="pydantic 的英文原文", examples=["String should have at least 1 character"])
    type: str = Field(description="pydantic 错误类型，如 missing、string_too_short")


class Problem(BaseModel):
    """An RFC 9457 problem (问题详情); services may add extension members."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[f"{PROBLEM_TYPE_BASE}not_found"])
    title: str = Field(examples=["资源不存在"])
    status: int = Field(examples=[404])
    code: str = Field(description="稳定的机器可读错误码", examples=["not_found"])
    detail: str | None = None
    instance: str | None = Field(None, description="出错请求的路径")
    request_id: str | None = Field(None, description="请求 ID，反馈问题时请提供")


class ValidationProblem(Problem):
    """The 422 problem: each invalid field is listed (参数校验失败)."""

    model_config = ConfigDict(json_schema_extra={"examples": [VALIDATION_PROBLEM_EXAMPLE]})

    errors: list[FieldError] = []


def _doc_response(description: str, model: type[Problem] = Problem) -> dict[str, Any]:
    # "model" makes FastAPI register the schema (and also list it under application/json, the
    # routes' own media type); the explicit entry documents the media type actually sent.
    return {
        "model": model,
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
    }


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _doc_response("请求有误（如请求体不是合法的 JSON）"),
    401: _doc_response("未认证或令牌无效"),
    403: _doc_response("无权访问"),
    404: _doc_response("资源不存在"),
    409: _doc_response("与资源当前状态冲突"),
    412: _doc_response("If-Match 与资源当前版本不符"),
    413: _doc_response("请求体过大"),
    415: _doc_response("不支持的请求体类型"),
    422: _doc_response("请求参数校验失败", ValidationProblem),
    428: _doc_response("缺少 If-Match"),
    500: _doc_response("服务器内部错误"),
}
"""For ``responses=`` on routers so ``/docs`` shows the problem schema; pick a subset with
``{s: PROBLEM_RESPONSES[s] for s in (404, 409)}`` where only some apply."""


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem (问题详情).

    ``extensions`` become extra top-level members (e.g. ``current_status="replied"``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"a problem status must be 4xx or 5xx, got {status}")
        _check_extensions(extensions)
        super().__init__(f"{status} {code}: {detail or title}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def _check_extensions(extensions: dict[str, Any]) -> None:
    clash = _RESERVED_MEMBERS.intersection(extensions)
    if clash:
        raise ValueError(f"problem extensions may not override {sorted(clash)}")


def not_found(what: str, detail: str | None = None) -> ProblemError:
    """404: ``what`` is the Chinese name of the thing, e.g. ``not_found("申请")`` → "申请不存在"."""
    return ProblemError(404, "not_found", f"{what}不存在", detail)


def conflict(code: str, title: str, detail: str | None = None, **extensions: Any) -> ProblemError:
    """409 with a specific code, e.g. ``conflict("already_replied", "该申请已答复")``."""
    return ProblemError(409, code, title, detail, **extensions)


def forbidden(detail: str | None = None) -> ProblemError:
    return ProblemError(403, "forbidden", "无权访问", detail)


def unauthorized(detail: str | None = None) -> ProblemError:
    # RFC 9110 §15.5.2: a 401 must say which scheme would be accepted.
    return ProblemError(401, "unauthorized", "未认证或令牌无效", detail, headers={"WWW-Authenticate": "Bearer"})


class ProblemJSONResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    request: Request | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """Build the ``application/problem+json`` response; ``instance`` is the request's path."""
    _check_extensions(extensions)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "code": code,
        "detail": detail,
        "instance": request.url.path if request is not None else None,
        "request_id": current_request_id(),
        **jsonable_encoder(extensions),
    }
    return ProblemJSONResponse(body, status_code=status, headers=headers)


async def _handle_problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    detail = humanize_detail(exc.detail, exc.extensions, request.url.path)  # 人话: labels, Beijing time
    return problem_response(
        exc.status, exc.code, exc.title, detail, request=request, headers=exc.headers, **exc.extensions
    )


async def _handle_domain_error(request: Request, exc: Exception) -> JSONResponse:
    """A broken business rule (``shared.domain``): its class says 409 or 422."""
    assert isinstance(exc, DomainError)
    detail = humanize_detail(exc.detail, exc.extensions, request.url.path)
    return problem_response(exc.status, exc.code, exc.title, detail, request=request, **exc.extensions)


async def _handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _status_problem(exc.status_code)
    detail: str | None = exc.detail
    if detail == _reason_phrase(exc.status_code):
        # Starlette's default detail ("Not Found") only repeats the title.
        detail = None
    elif detail is not None and not isinstance(detail, str):
        # FastAPI allows any JSON as detail; the problem's detail is a string.
        detail = json.dumps(jsonable_encoder(detail), ensure_ascii=False)
    if exc.status_code == 400 and detail == _FASTAPI_BODY_PARSE_ERROR:
        # FastAPI's answer to a body it cannot even decode (not UTF-8, nested too deep).
        return problem_response(
            400,
            "malformed_json",
            "请求体不是合法的 JSON",
            "请求体无法解析：编码须为 UTF-8，且嵌套不能过深",
            request=request,
        )
    # exc.headers carries Allow on 405 and WWW-Authenticate on 401.
    headers = exc.headers
    if exc.status_code == 405:
        # Starlette names the methods of the first route matching the path only; a path served by
        # several routes (GET and PUT of /units/{code}) allows them all (RFC 9110 §15.5.6).
        allowed = ", ".join(_allowed_methods(request)) or (headers or {}).get("Allow", "")
        headers = {**(headers or {}), "Allow": allowed}
    return problem_response(exc.status_code, code, title, detail, request=request, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()

    def collect(routes: Any) -> None:
        for route in routes:
            if hasattr(route, "effective_candidates"):  # a router FastAPI included lazily
                collect(route.effective_candidates())
                continue
            route_methods = getattr(route, "methods", None)
            if route_methods and route.matches(request.scope)[0] in (Match.PARTIAL, Match.FULL):
                methods.update(route_methods)

    collect(getattr(request.app, "routes", ()))
    return sorted(methods)


_FASTAPI_BODY_PARSE_ERROR = "There was an error parsing the body"

# A database that does not answer is the platform's fault and temporary: 503, not 500.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,  # connection pool exhausted
    ConnectionError,
    TimeoutError,  # asyncpg's connect timeout: a server that accepts but never answers
    asyncpg.exceptions.InterfaceError,  # a connection closed under a raw asyncpg pool
)
# SQLSTATEs that say "the server cannot take you now", whatever error class carries them:
# 08 connection exception, 53 insufficient resources (53300 too many connections), 57P
# operator intervention (shutting down, starting up), 57014 a statement past its timeout.
UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P", "57014")


def _sqlstate(exc: BaseException) -> str:
    origin = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    return str(getattr(origin, "sqlstate", None) or getattr(origin, "pgcode", None) or "")


def database_unavailable() -> ProblemError:
    return ProblemError(503, "database_unavailable", "数据库暂不可用", "请稍后重试", headers={"Retry-After": "5"})


async def _handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable in %s %s: %s", request.method, request.url.path, exc)
    return await _handle_problem_error(request, database_unavailable())


async def _handle_database_error(request: Request, exc: Exception) -> JSONResponse:
    """Any other database error: 503 when its SQLSTATE says the server is out of reach or out of
    connections (asyncpg's TooManyConnectionsError arrives as a DBAPI InternalError), else the 500."""
    if _sqlstate(exc).startswith(UNAVAILABLE_SQLSTATE_PREFIXES):
        return await _handle_database_unavailable(request, exc)
    return await _handle_unexpected(request, exc)


def _is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


async def _handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    malformed = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        position = malformed["loc"][-1]
        reason = (malformed.get("ctx") or {}).get("error", "")
        return problem_response(
            400,
            "malformed_json",
            "请求体不是合法的 JSON",
            f"第 {position} 个字符处解析失败：{reason}" if reason else None,
            request=request,
        )
    # FastAPI parses the body as JSON only when Content-Type is application/json or */*+json
    # (strict_content_type, on by default); otherwise it hands the raw bytes to validation. Raw
    # bytes as the body plus a body error is therefore exactly "JSON endpoint, wrong type".
    if (
        isinstance(exc.body, (bytes, bytearray))
        and not _is_json_media_type(request.headers.get("content-type"))
        and any(e["loc"] and e["loc"][0] == "body" for e in errors)
    ):
        sent = request.headers.get("content-type") or "（未提供）"
        return problem_response(
            415,
            "unsupported_media_type",
            "不支持的请求体类型",
            f"请求体须为 application/json，收到的 Content-Type 为 {sent}",
            request=request,
        )
    # In Chinese, with the field's Chinese name (shared.validation_messages); English in message_en.
    field_errors = [translate(request.scope.get("route"), e) for e in errors]
    return problem_response(
        422,
        "validation_failed",
        "请求参数校验失败",
        # The detail in words: the values' labels without their codes (those are in ``errors``).
        humanize_detail("；".join(e["message"] for e in field_errors[:5]) + ("……" if len(field_errors) > 5 else "")),
        request=request,
        errors=field_errors,
    )


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # This handler runs outside the request-context middleware, whose context has ended: take
    # the id it left in the scope, so the client and the log line still share it.
    request_id = request.scope.get("gongkai.request_id")
    token = request_id_var.set(request_id) if request_id and current_request_id() is None else None
    try:
        logger.exception("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(
            500,
            "internal_error",
            "服务器内部错误",
            "请求处理出错，请稍后重试；如仍失败，请联系管理员并提供请求编号（X-Request-ID）",
            request=request,
            headers={"X-Request-ID": request_id} if request_id else None,
        )
    finally:
        if token is not None:
            request_id_var.reset(token)


class LastResortMiddleware:
    """Pure ASGI middleware turning an unhandled exception into the 500 problem *inside* the CORS
    layer, so a browser on an allowed origin can read it (Starlette answers its own last resort in
    ``ServerErrorMiddleware``, outside every middleware, CORS included). Add it just inside CORS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if response_started:  # half an answer sent: nothing clean can follow
                raise
            response = await _handle_unexpected(Request(scope), exc)
            await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` an ``application/problem+json`` response."""
    app.add_exception_handler(ProblemError, _handle_problem_error)
    app.add_exception_handler(DomainError, _handle_domain_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    for error_class in DATABASE_UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_class, _handle_database_unavailable)
    for error_class in (sqlalchemy.exc.DBAPIError, asyncpg.exceptions.PostgresError):
        app.add_exception_handler(error_class, _handle_database_error)
    # Starlette runs the Exception handler in its outermost middleware, outside CORS: the last
    # resort behind LastResortMiddleware, for a failure of the CORS layer itself.
    app.add_exception_handler(Exception, _handle_unexpected)
