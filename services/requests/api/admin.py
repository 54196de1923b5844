"""Administration of the requests service: ``POST /api/v1/admin/requests/sweeps/deadlines`` runs the
deadline sweep now (it also runs in the background on every replica) — thin: parse, authorize,
call ``sweeps``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, ConfigDict, Field

from services.requests.journal import audit
from services.requests.service import sweeps
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES, ProblemError
from shared.runtime import ServiceRuntime, runtime_dependency

router = APIRouter(prefix="/api/v1/admin/requests", tags=["admin 管理"], responses=PROBLEM_RESPONSES)

Runtime = Annotated[ServiceRuntime, Depends(runtime_dependency("requests"))]


class DeadlineSweepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    today: date | None = Field(
        None,
        description="按此日期执行（仅限开发、测试环境）/ sweep as of this legal date — dev and test only; "
        "production always uses the service clock",
    )


class DeadlineSweepOut(BaseModel):
    today: date = Field(description="执行所依据的日期 / the legal date swept as of")
    scanned: int = Field(description="检查的办理中申请数 / open applications checked (overdue or near their due date)")
    due_soon_emitted: int = Field(description="发出的到期提醒 request.due_soon")
    overdue_emitted: int = Field(description="发出的逾期事件 request.overdue")
    hotline_unanswered_emitted: int = Field(description="发出的12345工单未按时回应 hotline.workorder_unanswered")
    lapsed: int = Field(
        description="逾期不补正、逾期未缴费而办结的申请数 / concluded as correction_lapsed or fee_unpaid"
    )
    signatures_purged: int = Field(description="清理的过期集成签名 / integration signatures past their replay window")


@router.post(
    "/sweeps/deadlines",
    response_model=DeadlineSweepOut,
    summary="立即执行期限巡检 / run the deadline sweep now",
)
async def run_deadline_sweep(
    runtime: Runtime,
    actor: Annotated[Principal, Depends(require_roles("admin", "office"))],
    body: Annotated[DeadlineSweepIn | None, Body()] = None,
) -> DeadlineSweepOut:
    """发出已到提醒节点的 ``request.due_soon``（剩余5、3、1个工作日）、答复期限届满日结束仍未答复的
    ``request.overdue``（每件申请每个期限仅一次）和超过 ``due_at`` 未回应的12345工单
    ``hotline.workorder_unanswered``。各副本的后台任务也定时执行；同时执行不会重复发出。
    角色：admin、office。

    Emits what is due and returns the counts; running it again emits nothing new. ``today`` is
    accepted only when ``GONGKAI_ENV`` is not ``prod`` (422 ``sweep_date_not_allowed`` there)."""
    today = body.today if body is not None else None
    if today is not None and runtime.settings.is_prod:
        raise ProblemError(
            422,
            "sweep_date_not_allowed",
            "生产环境不能指定巡检日期",
            "production sweeps as of the service clock's today",
        )
    result = await sweeps.sweep_deadlines(runtime, today=today)
    async with runtime.sessions.begin() as session:
        await audit(
            runtime,
            session,
            actor,
            "sweep:deadlines",
            "sweep",
            "deadlines",
            after={**result.counts(), "today": result.today.isoformat(), "today_given": today is not None},
        )
    return DeadlineSweepOut(**result.counts())
