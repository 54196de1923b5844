"""``POST /api/v1/admin/accountability/sweeps/deadlines`` runs the deadline sweep now (it also runs
in the background on every replica) — thin: parse, authorize, call ``service.sweeps``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from services.accountability.api.deps import Runtime
from services.accountability.schemas.sweeps import SweepIn, SweepOut
from services.accountability.service import sweeps
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES, ProblemError

router = APIRouter(prefix="/api/v1/admin/accountability", tags=["admin 管理"], responses=PROBLEM_RESPONSES)


@router.post("/sweeps/deadlines", response_model=SweepOut, summary="立即执行期限巡检 / run the deadline sweep now")
async def run_deadline_sweep(
    runtime: Runtime,
    actor: Annotated[Principal, Depends(require_roles("admin", "office", "inspector"))],
    body: Annotated[SweepIn | None, Body()] = None,
) -> SweepOut:
    """逾期未整改的整改通知发出 ``accountability.rectification_overdue``（每个期限仅一次）并据此升级；
    申诉复核期限届满前3日提醒。``today`` only outside prod."""
    today = body.today if body is not None else None
    if today is not None and runtime.settings.is_prod:
        raise ProblemError(422, "sweep_date_not_allowed", "生产环境不能指定巡检日期")
    result = await sweeps.run_deadline_sweep(runtime, actor, today=today)
    return SweepOut(
        today=result.today,
        rectification_overdue_emitted=result.rectification_overdue_emitted,
        appeal_reminders=result.appeal_reminders,
    )
