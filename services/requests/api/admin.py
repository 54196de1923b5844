"""Administration of the requests service: ``POST /api/v1/admin/requests/sweeps/deadlines`` runs the
deadline sweep now (it also runs in the background on every replica), ``POST
/api/v1/admin/requests/republish`` republishes the units and calendar years for the replicas to
catch up — thin: parse, authorize, call ``service.sweeps`` / ``service.reference``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.schemas.reference import RepublishResult
from services.requests.schemas.sweeps import DeadlineSweepIn, DeadlineSweepOut
from services.requests.service import reference, sweeps
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES, ProblemError
from shared.runtime import runtime_dependency, session_dependency

router = APIRouter(prefix="/api/v1/admin/requests", tags=["admin 管理"], responses=PROBLEM_RESPONSES)

Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]
Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]


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
    accepted only when ``GONGKAI_ENV`` is not ``prod`` (422 ``sweep_date_not_allowed`` there), and
    only in a year the working-day calendar knows (422 ``sweep_date_outside_calendar``).
    The sweep commits batch by batch (a transaction each), so it opens its own transactions."""
    today = body.today if body is not None else None
    if today is not None and runtime.settings.is_prod:
        raise ProblemError(
            422,
            "sweep_date_not_allowed",
            "生产环境不能指定巡检日期",
            "production sweeps as of the service clock's today",
        )
    if today is not None and not runtime.calendar.is_known(today.year):
        # Outside the working-day calendar the sweep would date reminders and overdue events on
        # weekends only (and 9999-12-31 overflowed after emitting): refused before anything runs.
        known = sorted(runtime.calendar.known_years())
        raise ProblemError(
            422,
            "sweep_date_outside_calendar",
            "巡检日期超出已加载的节假日安排",
            f"today 须在已知的年份内（{known[0]}–{known[-1]}）" if known else "尚未加载任何年份的节假日安排",
        )
    result = await sweeps.run_deadline_sweep(runtime, actor, today=today)
    return DeadlineSweepOut(**result.counts())


@router.post(
    "/republish", response_model=RepublishResult, summary="重新发布单位名录与节假日安排 / republish reference data"
)
async def republish_reference_data(
    session: Session, runtime: Runtime, actor: Annotated[Principal, Depends(require_roles("admin"))]
) -> RepublishResult:
    """为每个单位（含已停用的）发出 ``unit.upserted``、为每个已加载年份发出 ``calendar.updated``，
    均带当前版本号，经发件箱发布。各服务的副本已有该版本时不作任何改变，副本为空或落后时补齐。
    也可用 ``gongkai reference republish``。角色：admin。

    Catch-up for a consumer whose replica is empty or behind; idempotent for the others. One
    transaction; the relay publishes after the commit."""
    return await reference.republish_reference_data(session, runtime, actor)
