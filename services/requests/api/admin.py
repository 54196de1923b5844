"""Administration of the requests service: ``POST /api/v1/admin/requests/sweeps/deadlines`` runs the
deadline sweep now (it also runs in the background on every replica) — thin: parse, authorize,
call ``service.sweeps``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from services.requests.config import Ctx
from services.requests.schemas.sweeps import DeadlineSweepIn, DeadlineSweepOut
from services.requests.service import sweeps
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES, ProblemError
from shared.runtime import runtime_dependency

router = APIRouter(prefix="/api/v1/admin/requests", tags=["admin 管理"], responses=PROBLEM_RESPONSES)

Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]


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
    accepted only when ``GONGKAI_ENV`` is not ``prod`` (422 ``sweep_date_not_allowed`` there).
    The sweep commits batch by batch (a transaction each), so it opens its own transactions."""
    today = body.today if body is not None else None
    if today is not None and runtime.settings.is_prod:
        raise ProblemError(
            422,
            "sweep_date_not_allowed",
            "生产环境不能指定巡检日期",
            "production sweeps as of the service clock's today",
        )
    result = await sweeps.run_deadline_sweep(runtime, actor, today=today)
    return DeadlineSweepOut(**result.counts())
