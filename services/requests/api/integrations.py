"""12345 hotline and provincial-platform intake (DESIGN §9), and the units' side of 12345 work
orders. Thin: verify, parse, authorize, call ``services.requests.service.intake``.

Inbound calls are authenticated by signature, not by a bearer token (``shared.signing``):
``X-Gongkai-Timestamp`` + ``X-Gongkai-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." +
body)>`` under one of ``GONGKAI_REQUESTS_HOTLINE_SECRETS`` / ``GONGKAI_REQUESTS_PROVINCIAL_SECRETS``
(comma-separated: several during a rotation). The signature is checked on the raw body *before*
anything is parsed, so an unsigned caller learns nothing about validation; each signature is
accepted once (``signature_nonces``) within ±300 s of the real wall clock (never the dev clock,
which an administrator may move: the window and the nonces' retention must not move with it). A retry must be re-signed
with a fresh timestamp; its repeated effect is caught by the work-order number / provincial id
(200 with the stored result) and, when sent, by ``Idempotency-Key``.

``Idempotency-Key`` and signatures: a signed call has no bearer subject, so its keys live in the
"anonymous" scope. The signature is verified first, always: the stored response is found by the
route's session dependency, which runs after the signed-body dependency (shared.runtime), so a
replay (``Idempotent-Replayed: true``) needs a fresh valid signature as well as the key and the
same body (issue 8). Senders should still use random keys (UUIDs).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import DEV_SECRETS, Ctx
from services.requests.schemas.examples import INTAKE_EXAMPLES, SIGNATURE_DOC
from services.requests.schemas.intake import (
    WORKORDER_NO_PATTERN,
    AnswerIn,
    ProvincialAccepted,
    ProvincialApplicationIn,
    WorkOrderAccepted,
    WorkOrderCategory,
    WorkOrderIn,
    WorkOrderOut,
)
from services.requests.service import intake
from shared.auth import Principal, current_principal
from shared.errors import PROBLEM_RESPONSES, ProblemError
from shared.inputs import MAX_JSON_DEPTH, json_depth_exceeds
from shared.pagination import Page, PageParams, page_params
from shared.runtime import runtime_dependency, session_dependency
from shared.signing import verify_request

Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]
Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]
Caller = Annotated[Principal, Depends(current_principal)]
WorkOrderNo = Annotated[str, Path(pattern=WORKORDER_NO_PATTERN, description="工单编号")]

router = APIRouter(responses=PROBLEM_RESPONSES)

_SIGNATURE_HEADERS = [
    {
        "name": "X-Gongkai-Timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "Unix 秒 / unix seconds (±300 s)",
    },
    {
        "name": "X-Gongkai-Signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string"},
        "description": "v1=<hex HMAC-SHA256(secret, timestamp + '.' + body)>; several comma-separated during a key rotation",
    },
]


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined (the body is read raw, so FastAPI does
    not register it under components)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def _signed_body(model: type[BaseModel]) -> dict[str, Any]:
    # The signature scheme, the dev secrets and an example body in /docs (issue 9).
    content: dict[str, Any] = {"schema": _inline_schema(model)}
    if model.__name__ in INTAKE_EXAMPLES:
        content["example"] = INTAKE_EXAMPLES[model.__name__]
    return {
        "parameters": _SIGNATURE_HEADERS,
        "requestBody": {"required": True, "description": SIGNATURE_DOC, "content": {"application/json": content}},
    }


def _secrets(csv: str, *, prod: bool) -> list[str]:
    secrets = [s.strip() for s in csv.split(",") if s.strip()]
    if prod:
        secrets = [s for s in secrets if s not in DEV_SECRETS]  # the repository's dev secrets sign nothing in prod
    if not secrets:
        raise ProblemError(503, "integration_not_configured", "集成接口未配置签名密钥")
    return secrets


async def _verified(request: Request, runtime: Ctx, secrets_csv: str, model: type[BaseModel]) -> Any:
    """Signature first (401), then media type (415), JSON (400) and fields (422)."""
    body = await verify_request(
        request,
        _secrets(secrets_csv, prod=runtime.settings.is_prod),
        intake.signature_guard(runtime),
    )
    media_type = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise ProblemError(
            415,
            "unsupported_media_type",
            "不支持的请求体类型",
            f"请求体须为 application/json，收到的 Content-Type 为 {media_type or '（未提供）'}",
        )
    if json_depth_exceeds(body):
        raise ProblemError(400, "json_too_deep", "请求体嵌套过深", f"JSON 的嵌套不能超过 {MAX_JSON_DEPTH} 层")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProblemError(400, "malformed_json", "请求体不是合法的 JSON", str(exc)[:200]) from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # The app's handler turns this into the usual 422 ``validation_failed`` with each field.
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False, include_context=False)]
        raise RequestValidationError(errors, body=data) from exc


async def _hotline_order(request: Request, runtime: Runtime) -> WorkOrderIn:
    return await _verified(request, runtime, runtime.resources.settings.hotline_secrets, WorkOrderIn)


async def _provincial_application(request: Request, runtime: Runtime) -> ProvincialApplicationIn:
    return await _verified(request, runtime, runtime.resources.settings.provincial_secrets, ProvincialApplicationIn)


# Verified before the request's transaction is opened (declared before ``Session``): the replay
# guard records the signature in a transaction of its own, which on SQLite must not wait behind
# the request's (an Idempotency-Key takes the write lock at once).
SignedWorkOrder = Annotated[WorkOrderIn, Depends(_hotline_order)]
SignedProvincialApplication = Annotated[ProvincialApplicationIn, Depends(_provincial_application)]


@router.post(
    "/api/v1/integrations/hotline/workorders",
    tags=["integrations 集成"],
    status_code=201,
    response_model=WorkOrderAccepted,
    summary="接收12345工单 / receive a 12345 work order (signed)",
    openapi_extra=_signed_body(WorkOrderIn),
    responses={200: {"model": WorkOrderAccepted, "description": "该工单编号已收到、内容相同：返回已有结果 / repeat"}},
)
async def receive_workorder(
    order: SignedWorkOrder, response: Response, session: Session, runtime: Runtime
) -> WorkOrderAccepted:
    """签名调用（12345热线）。``disclosure_request`` 成为渠道为 ``hotline_12345`` 的申请（待登记
    ``submitted``，由政务公开办公室确认收到后起算期限），``complaint`` 发出
    ``hotline.complaint_received``，其余仅存储。201 响应中的 ``query_code`` 只返回这一次，须转告市民。

    Signed call. 201 on the first receipt (with the application and its one-time ``query_code``
    for a disclosure request); 200 with ``repeated: true`` for the same number and content; 409
    ``workorder_conflict`` for the same number with other content; 422 for an unknown unit,
    ``received_at`` in the future or ``due_at`` not after ``received_at``; 401 ``signature_*``."""
    result, created = await intake.receive_workorder(session, runtime, order)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/hotline/workorders/{result.workorder_no}"
    return result


@router.post(
    "/api/v1/integrations/provincial/applications",
    tags=["integrations 集成"],
    status_code=201,
    response_model=ProvincialAccepted,
    summary="接收省级平台申请 / receive a provincial-platform application (signed)",
    openapi_extra=_signed_body(ProvincialApplicationIn),
    responses={
        200: {"model": ProvincialAccepted, "description": "该 provincial_id 已收到、内容相同：返回已有申请 / repeat"}
    },
)
async def receive_provincial(
    body: SignedProvincialApplication, response: Response, session: Session, runtime: Runtime
) -> ProvincialAccepted:
    """签名调用（省级政务服务平台）。申请渠道为 ``provincial``，``source_ref`` = ``provincial_id``，
    状态 ``submitted``。同一 ``provincial_id`` 再次提交：内容相同 200，不同 409。

    Signed call; 201 with ``query_code`` once, 200 ``repeated: true`` on a repeat, 409
    ``provincial_application_conflict`` when the repeat differs."""
    result, created = await intake.receive_provincial(session, runtime, body)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/requests/{result.application.id}"
    return result


@router.get(
    "/api/v1/hotline/workorders",
    tags=["hotline 12345工单"],
    response_model=Page[WorkOrderOut],
    summary="12345工单列表 / list work orders",
)
async def list_workorders(
    session: Session,
    runtime: Runtime,
    principal: Caller,
    page: Annotated[PageParams, Depends(page_params)],
    unit_code: Annotated[str | None, Query(max_length=64, description="承办单位")] = None,
    category: Annotated[WorkOrderCategory | None, Query(description="工单类别")] = None,
    answered: Annotated[bool | None, Query(description="是否已回复")] = None,
    overdue: Annotated[bool | None, Query(description="未回复且已过办理时限")] = None,
) -> Page[WorkOrderOut]:
    """政务公开办公室等全局角色看全部单位；单位工作人员看本单位。按受理时间倒序。"""
    return await intake.list_workorders(
        session,
        runtime,
        principal,
        unit_code=unit_code,
        category=category,
        answered=answered,
        overdue=overdue,
        limit=page.limit,
        cursor=page.cursor,
    )


@router.get(
    "/api/v1/hotline/workorders/{workorder_no}",
    tags=["hotline 12345工单"],
    response_model=WorkOrderOut,
    summary="12345工单详情 / a work order",
)
async def get_workorder(
    session: Session, runtime: Runtime, principal: Caller, workorder_no: WorkOrderNo
) -> WorkOrderOut:
    return await intake.get_workorder(session, runtime, principal, workorder_no)


@router.post(
    "/api/v1/hotline/workorders/{workorder_no}/answer",
    tags=["hotline 12345工单"],
    response_model=WorkOrderOut,
    summary="回复12345工单 / answer a work order",
)
async def answer_workorder(
    session: Session,
    runtime: Runtime,
    principal: Caller,
    workorder_no: WorkOrderNo,
    body: Annotated[AnswerIn, Body()],
) -> WorkOrderOut:
    """承办单位工作人员（handler / unit_admin）或政务公开办公室（office / admin）回复；只能回复一次，
    再次回复 409 ``workorder_already_answered``。超过办理时限仍可回复（``answered_on_time: false``）。"""
    return await intake.answer_workorder(session, runtime, principal, workorder_no, body.answer)
