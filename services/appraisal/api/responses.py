"""Responses (答卷): ``POST /api/v1/campaigns/{id}/responses`` — JSON from any client, or the public
page's form (``application/x-www-form-urlencoded``), answered with a page instead of JSON.

Every call first counts against the caller's address in the shared rate limit (its own
transaction, so refused attempts count too), then stores the response in the request's
transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Header, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from services.appraisal.api.common import CampaignId, MaybeCaller, Runtime, Session
from services.appraisal.config import Ctx
from services.appraisal.schemas.responses import ResponseIn, ResponseOut
from services.appraisal.service import page, rate_limits
from services.appraisal.service import responses as service
from shared.domain import DomainError
from shared.errors import PROBLEM_RESPONSES, ProblemError

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns 社会评议"], responses=PROBLEM_RESPONSES)

RESPONDENT_COOKIE = "gk_respondent"
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


async def _count_hit(request: Request, ctx: Ctx) -> None:
    async with ctx.transaction() as session:
        await rate_limits.count_hit(session, ctx, client_address(request, ctx.resources.settings.trust_forwarded_for))


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
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ResponseIn.model_json_schema()},
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "description": "公众评议页面的表单"}
                },
            },
        }
    },
)
async def submit_response(
    request: Request,
    session: Session,
    ctx: Runtime,
    actor: MaybeCaller,
    campaign_id: CampaignId,
    cookie_token: Annotated[str | None, Cookie(alias=RESPONDENT_COOKIE, max_length=256)] = None,
    header_token: Annotated[str | None, Header(alias="X-Respondent-Token", max_length=256)] = None,
) -> Response | ResponseOut:
    """公众评议无需令牌：一个答卷人（Cookie ``gk_respondent``、请求头 ``X-Respondent-Token`` 或
    ``respondent_token``，只保存其密钥散列）对一个单位只能答一次（409 ``response_duplicate``）；
    评议开放时间之外 409；每个网络地址每分钟有提交次数上限（429）。代表评议、社会监督员评议须带已登记
    评议员的令牌。文字题按原样保存。表单提交（公众页面）成功后转到致谢页，失败时返回说明页面。"""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = content_type in FORM_TYPES
    if not form and content_type != "application/json" and not content_type.endswith("+json"):
        raise ProblemError(
            415,
            "unsupported_media_type",
            "不支持的请求体类型",
            f"请求体须为 application/json 或表单，收到的 Content-Type 为 {content_type or '（未提供）'}",
        )
    try:
        await _count_hit(request, ctx)
        body = await _form_body(request) if form else await _json_body(request)
        token = (
            (cookie_token or body.respondent_token) if form else (body.respondent_token or header_token or cookie_token)
        )
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
        await session.rollback()
        errors = exc.extensions.get("errors") if isinstance(exc.extensions.get("errors"), list) else None
        html = page.refusal_page(ctx, campaign_id, exc.status, exc.title, errors)
        headers = getattr(exc, "headers", None) or {}
        return HTMLResponse(html, status_code=exc.status, headers=headers)
    except RequestValidationError:
        if not form:
            raise
        await session.rollback()
        html = page.refusal_page(ctx, campaign_id, 422, "表单内容不完整或格式有误，请返回检查后重新提交", None)
        return HTMLResponse(html, status_code=422)
    if form:
        return RedirectResponse(
            f"/appraisal/{campaign_id}/thanks?unit={out.unit_code}", status_code=status.HTTP_303_SEE_OTHER
        )
    return out
