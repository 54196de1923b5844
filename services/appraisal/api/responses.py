"""Responses (答卷): ``POST /api/v1/campaigns/{id}/responses`` — JSON from any client, or the public
page's form (``application/x-www-form-urlencoded``), answered with a page instead of JSON.

Every call counts against the caller's address in the shared rate limit, refused ones too
(``service/rate_limits.py``); the use case writes the response."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from services.appraisal.api.common import CampaignId, Runtime, request_transaction
from services.appraisal.schemas.examples import RESPONSE_FORM_EXAMPLE
from services.appraisal.schemas.responses import ResponseIn, ResponseOut
from services.appraisal.service import page
from services.appraisal.service import responses as service
from shared.auth import optional_principal
from shared.domain import DomainError
from shared.errors import PROBLEM_RESPONSES, ProblemError
from shared.idempotency import KEY_CLAIM_SCOPE

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns 社会评议"], responses=PROBLEM_RESPONSES)

RESPONDENT_COOKIE = "gk_respondent"
RESPONDENT_HEADER = "X-Respondent-Token"
TOKEN_MAX_LENGTH = 256
# The optional caller (a panel member's bearer token) and the respondent token's header and cookie
# are read in the route's body, not declared as FastAPI parameters: on the public intake, the
# hottest path of the service, those three cost about 0.08 ms a call. Documented here exactly as
# FastAPI documented them.
TOKEN_PARAMETERS = [
    {
        "name": name,
        "in": where,
        "required": False,
        "schema": {"anyOf": [{"type": "string", "maxLength": TOKEN_MAX_LENGTH}, {"type": "null"}], "title": title},
    }
    for name, where, title in (
        (RESPONDENT_HEADER, "header", RESPONDENT_HEADER),
        (RESPONDENT_COOKIE, "cookie", "Gk Respondent"),
    )
]
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
RESERVED_FIELDS = {"unit_code", "method", "respondent_token"}


def client_address(request: Request, trust_forwarded_for: bool) -> str:
    """The caller's address: the last X-Forwarded-For entry (added by the office's own proxy) when
    trusted, else the peer."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:100]
    return request.client.host if request.client else "unknown"


async def _form_body(request: Request) -> ResponseIn:
    form = await request.form()
    answers: dict[str, Any] = {}
    for key in form:
        if key in RESERVED_FIELDS:
            continue
        values = form.getlist(key)
        if any(isinstance(v, UploadFile) for v in values):
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", key), "msg": "不接受文件", "input": None}]
            )
        answers[key] = values[0] if len(values) == 1 else list(values)
    fields = {k: form.get(k) for k in RESERVED_FIELDS if isinstance(form.get(k), str) and form.get(k)}
    try:
        return ResponseIn.model_validate({**fields, "answers": answers})
    except ValidationError as exc:
        raise RequestValidationError(_body_errors(exc)) from exc


def _token_parameter(value: str | None, where: str, name: str) -> str | None:
    """The header's or cookie's token, refused over its length as FastAPI's own check would."""
    if value is not None and len(value) > TOKEN_MAX_LENGTH:
        raise RequestValidationError(
            [
                {
                    "type": "string_too_long",
                    "loc": (where, name),
                    "msg": f"String should have at most {TOKEN_MAX_LENGTH} characters",
                    "input": value,
                    "ctx": {"max_length": TOKEN_MAX_LENGTH},
                }
            ]
        )
    return value


def _body_errors(exc: ValidationError) -> list[Any]:
    """Pydantic's errors located in the body, as FastAPI's own body validation reports them."""
    return [{**e, "loc": ("body", *e["loc"]) if e["loc"] else ("body", 0)} for e in exc.errors(include_url=False)]


async def _json_body(request: Request) -> ResponseIn:
    raw = await request.body()
    try:
        return ResponseIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(_body_errors(exc), body=raw) from exc


@router.post(
    "/{campaign_id}/responses",
    response_model=ResponseOut,
    status_code=status.HTTP_201_CREATED,
    summary="提交答卷 / submit a response",
    responses={429: {"description": "提交过于频繁 / rate limited (Retry-After)"}},
    openapi_extra={
        "parameters": TOKEN_PARAMETERS,
        "security": [{"HTTPBearer": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ResponseIn.model_json_schema()},
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "description": "公众评议页面的表单"},
                    "example": RESPONSE_FORM_EXAMPLE,
                },
            },
        },
    },
)
async def submit_response(
    request: Request,
    ctx: Runtime,
    campaign_id: CampaignId,
) -> Response | ResponseOut:
    """公众评议无需令牌：一个答卷人（Cookie ``gk_respondent``、请求头 ``X-Respondent-Token`` 或
    ``respondent_token``，只保存其密钥散列）对一个单位只能答一次（409 ``response_duplicate``）；
    评议开放时间之外 409；每个网络地址每分钟有提交次数上限（429）。代表评议、社会监督员评议须带已登记
    评议员的令牌。文字题按原样保存。表单提交（公众页面）成功后转到致谢页，失败时返回说明页面。"""
    actor = await optional_principal(request)
    header_token = _token_parameter(request.headers.get(RESPONDENT_HEADER), "header", RESPONDENT_HEADER)
    cookie_token = _token_parameter(request.cookies.get(RESPONDENT_COOKIE), "cookie", RESPONDENT_COOKIE)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = content_type in FORM_TYPES
    if not form and content_type != "application/json" and not content_type.endswith("+json"):
        raise ProblemError(
            415,
            "unsupported_media_type",
            "不支持的请求体类型",
            f"请求体须为 application/json 或表单，收到的 Content-Type 为 {content_type or '（未提供）'}",
        )
    client = client_address(request, ctx.resources.settings.trust_forwarded_for)
    try:
        try:
            body = await _form_body(request) if form else await _json_body(request)
        except RequestValidationError:
            await service.count_call(ctx, client)
            raise
        token = (
            (cookie_token or body.respondent_token) if form else (body.respondent_token or header_token or cookie_token)
        )
        if service.is_direct(ctx, body.method, keyed=KEY_CLAIM_SCOPE in request.scope):
            out = await service.submit_public_response(
                ctx,
                campaign_id,
                unit_code=body.unit_code,
                answers=body.answers,
                respondent_token=token,
                client_address=client,
            )
        else:
            await service.count_call(ctx, client)
            async with request_transaction(request) as session:
                out = await service.submit_response(
                    session,
                    ctx,
                    campaign_id,
                    unit_code=body.unit_code,
                    method=body.method,
                    answers=body.answers,
                    respondent_token=token,
                    actor=actor,
                )
    except (ProblemError, DomainError) as exc:
        if not form:
            raise
        errors = exc.extensions.get("errors") if isinstance(exc.extensions.get("errors"), list) else None
        html = page.refusal_page(ctx, campaign_id, exc.status, exc.title, errors)
        headers = getattr(exc, "headers", None) or {}
        return HTMLResponse(html, status_code=exc.status, headers=headers)
    except RequestValidationError:
        if not form:
            raise
        html = page.refusal_page(ctx, campaign_id, 422, "表单内容不完整或格式有误，请返回检查后重新提交", None)
        return HTMLResponse(html, status_code=422)
    if form:
        return RedirectResponse(
            f"/appraisal/{campaign_id}/thanks?unit={out.unit_code}", status_code=status.HTTP_303_SEE_OTHER
        )
    return out
