"""Annual report (政府信息公开工作年度报告): ``GET /api/v1/reports/annual/{year}`` — thin: parse,
authorize, call ``services.requests.service.reports``, render JSON or .xlsx (DESIGN §5)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from services.requests.schemas.reports import REGION_PREFIX_PATTERN, AnnualReportOut
from services.requests.schemas.units import UNIT_CODE_PATTERN
from services.requests.service.report_xlsx import XLSX_MEDIA_TYPE, render_annual_report_xlsx
from services.requests.service.reports import ReportScope, annual_report
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES, ProblemError, forbidden
from shared.runtime import session_dependency

router = APIRouter(prefix="/api/v1/reports", tags=["reports 年度报告"], responses=PROBLEM_RESPONSES)

Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]

REPORT_ROLES = ("office", "admin", "assessor", "inspector", "handler", "unit_admin")


def _wants_xlsx(accept: str | None) -> bool:
    """True when the Accept header lists the xlsx media type (with a non-zero q)."""
    for part in (accept or "").split(","):
        media_type, *params = (p.strip() for p in part.split(";"))
        if media_type.lower() != XLSX_MEDIA_TYPE:
            continue
        q = next((p.split("=", 1)[1] for p in params if p.replace(" ", "").lower().startswith("q=")), "1")
        try:
            if float(q) > 0:
                return True
        except ValueError:
            return True
    return False


def _scope(principal: Principal, unit_code: str | None, region: str | None) -> ReportScope:
    if unit_code is None and region is None:
        raise ProblemError(422, "report_scope_missing", "缺少统计范围", "须提供 unit_code 或 region 之一")
    if unit_code is not None and region is not None:
        raise ProblemError(422, "report_scope_ambiguous", "统计范围不明确", "unit_code 与 region 只能提供其一")
    if region is not None:
        if not principal.sees_all_units:
            raise forbidden("按行政区划汇总的年度报告仅限政务公开主管部门、考核、纪检监察和系统管理员")
        return ReportScope(region=region)
    assert unit_code is not None
    if not principal.can_read(unit_code):
        raise forbidden(f"无权访问单位 {unit_code} 的年度报告")
    return ReportScope(unit_code=unit_code)


@router.get(
    "/annual/{year}",
    response_model=AnnualReportOut,
    response_model_exclude_none=True,
    summary="政府信息公开工作年度报告（表三、表四） / annual report",
    responses={
        200: {
            "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "JSON, or the .xlsx laid out like the national form when Accept asks for it",
        },
        422: PROBLEM_RESPONSES[422],
    },
)
async def get_annual_report(
    session: Session,
    principal: Annotated[Principal, Depends(require_roles(*REPORT_ROLES))],
    year: Annotated[int, Path(ge=2000, le=2100, description="统计年度 / report year")],
    unit_code: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN, description="单位代码 / a unit")] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=REGION_PREFIX_PATTERN,
            description="行政区划代码前缀：汇总 region 以此开头的全部单位（如 1304 含 130402、130402001）/ region prefix roll-up",
        ),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Any:
    """表三「收到和处理政府信息公开申请情况」与表四「政府信息公开行政复议、行政诉讼情况」（国办公开办函〔2021〕30号）。

    ``unit_code`` 与 ``region`` 必须且只能提供其一（否则 422）。申请按办理结果日期（答复日、撤回日）
    计入年度，撤回计入「其他处理—其他」，未登记（``received_on`` 为空）的申请不计；复议、诉讼按决定日期
    计入年度，年末未审结的计入当年「尚未审结」。行政区划汇总包含 ``units.region`` 以该前缀开头的全部单位，
    未在单位名录中的单位代码无法按行政区划汇总。

    Roles: office, admin, assessor, inspector — any unit or region; handler, unit_admin — only
    their own units (403 otherwise), never a region roll-up. ``Accept:
    application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`` returns the .xlsx
    laid out like the national form; anything else returns JSON."""
    scope = _scope(principal, unit_code, region)
    report = await annual_report(session, year, scope)
    if _wants_xlsx(accept):
        content = await run_in_threadpool(render_annual_report_xlsx, report)
        filename = f"gongkai-annual-report-{year}-{unit_code or 'region-' + str(region)}.xlsx"
        return Response(
            content,
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return report.to_dict()
