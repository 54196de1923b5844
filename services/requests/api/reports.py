"""Annual report (政府信息公开工作年度报告): ``GET /api/v1/reports/annual/{year}`` — thin: parse,
authorize, call ``services.requests.service.reports``, render JSON or .xlsx (DESIGN §5)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model
from starlette.concurrency import run_in_threadpool

from services.requests.domain.outcomes import OUTCOMES
from services.requests.schemas.units import UNIT_CODE_PATTERN
from services.requests.service.report_xlsx import XLSX_MEDIA_TYPE, render_annual_report_xlsx
from services.requests.service.reports import ROWS, ReportScope, annual_report
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES, ProblemError, forbidden
from shared.runtime import ServiceRuntime, runtime_dependency

router = APIRouter(prefix="/api/v1/reports", tags=["reports 年度报告"], responses=PROBLEM_RESPONSES)

Runtime = Annotated[ServiceRuntime, Depends(runtime_dependency("requests"))]

REGION_PREFIX_PATTERN = r"^\d{2,12}$"
REPORT_ROLES = ("office", "admin", "assessor", "inspector", "handler", "unit_admin")


class Table3Counts(BaseModel):
    """One row of table 三 by applicant type (申请人情况)."""

    natural_person: int = Field(description="自然人")
    commercial_enterprise: int = Field(description="商业企业")
    research_institution: int = Field(description="科研机构")
    public_welfare_org: int = Field(description="社会公益组织")
    legal_service_org: int = Field(description="法律服务机构")
    other_org: int = Field(description="其他（法人或其他组织）")
    total: int = Field(description="总计")


_ROW_DESCRIPTIONS = {
    "received": "一、本年新收政府信息公开申请数量",
    "carried_over_from_last_year": "二、上年结转政府信息公开申请数量",
    **{code: f"三、本年度办理结果 — {o.group} — {o.label}" for code, o in OUTCOMES.items()},
    "concluded_total": "三、本年度办理结果 —（七）总计",
    "carried_over_to_next_year": "四、结转下年度继续办理",
}

# Keys such as "withheld.state_secret" are not identifiers: fields are named with "__" and
# carry the code as their alias (responses serialize by alias).
Table3Rows: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Table3Rows",
    __config__=ConfigDict(populate_by_name=True),
    __doc__="Every row of table 三, in the form's order; keys are the outcome codes and the four summary rows.",
    **{row.replace(".", "__"): (Table3Counts, Field(alias=row, description=_ROW_DESCRIPTIONS[row])) for row in ROWS},
)


class Table3(BaseModel):
    """三、收到和处理政府信息公开申请情况. Holds per column: received + carried_over_from_last_year
    = concluded_total + carried_over_to_next_year."""

    rows: Table3Rows  # type: ignore[valid-type]


class Table4Counts(BaseModel):
    upheld: int = Field(description="结果维持")
    corrected: int = Field(description="结果纠正")
    other: int = Field(description="其他结果")
    pending: int = Field(description="尚未审结（截至年末）")
    total: int = Field(description="总计")


class Table4(BaseModel):
    """四、政府信息公开行政复议、行政诉讼情况."""

    administrative_review: Table4Counts = Field(description="行政复议")
    litigation_direct: Table4Counts = Field(description="行政诉讼 — 未经复议直接起诉")
    litigation_after_review: Table4Counts = Field(description="行政诉讼 — 复议后起诉")


class AnnualReportOut(BaseModel):
    """政府信息公开工作年度报告 tables 三 and 四; ``unit_code`` or ``region``, never both."""

    year: int
    unit_code: str | None = Field(None, description="单位代码 (a unit's report)")
    region: str | None = Field(None, description="行政区划代码前缀 (a region roll-up)")
    table3: Table3
    table4: Table4


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
    if not principal.can_access_unit(unit_code):
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
    runtime: Runtime,
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
    async with runtime.engine.connect() as connection:
        report = await annual_report(connection, year, scope)
    if _wants_xlsx(accept):
        content = await run_in_threadpool(render_annual_report_xlsx, report)
        filename = f"gongkai-annual-report-{year}-{unit_code or 'region-' + str(region)}.xlsx"
        return Response(
            content,
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return report.to_dict()
