"""The notifier's admin actions: ``/api/v1/admin/notifier`` — run the dispatcher or the digest now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from services.notifier.api.common import Runtime
from services.notifier.schemas.admin import DigestResult, DispatchResult
from services.notifier.service.digest import run_digest
from services.notifier.service.dispatch import dispatch_once
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/admin/notifier", tags=["admin 管理"], responses=PROBLEM_RESPONSES)
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.post("/dispatch", response_model=DispatchResult, summary="立即投递一轮 / one dispatch round now")
async def dispatch(ctx: Runtime, _actor: Admin) -> DispatchResult:
    return DispatchResult(claimed=await dispatch_once(ctx))


@router.post(
    "/digest", response_model=DigestResult, summary="生成今日汇总（如已到时间） / compose today's digest if due"
)
async def digest(ctx: Runtime, _actor: Admin) -> DigestResult:
    return await run_digest(ctx)
