"""Response model of the annual report (政府信息公开工作年度报告): ``GET /api/v1/reports/annual/{year}``,
tables 三 and 四 of the national form (国办公开办函〔2021〕30号)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, create_model

from services.requests.domain.outcomes import OUTCOMES
from services.requests.schemas.examples import ANNUAL_REPORT_EXAMPLE

# 行政区划 code prefix of a region roll-up: a province (2 digits) down to a village (12).
REGION_PREFIX_PATTERN = r"^\d{2,12}$"


class Table3Counts(BaseModel):
    """One row of table 三 by applicant type (申请人情况)."""

    natural_person: int = Field(description="自然人")
    commercial_enterprise: int = Field(description="商业企业")
    research_institution: int = Field(description="科研机构")
    public_welfare_org: int = Field(description="社会公益组织")
    legal_service_org: int = Field(description="法律服务机构")
    other_org: int = Field(description="其他（法人或其他组织）")
    total: int = Field(description="总计")


# Every row of table 三 in the form's order (``service.reports.ROWS``), with its label.
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
    **{
        row.replace(".", "__"): (Table3Counts, Field(alias=row, description=description))
        for row, description in _ROW_DESCRIPTIONS.items()
    },
)


class Table3(BaseModel):
    """三、收到和处理政府信息公开申请情况. Holds per column: received + carried_over_from_last_year
    = concluded_total + carried_over_to_next_year."""

    rows: Table3Rows


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


class ReportLabels(BaseModel):
    """The labels of the national form (国办公开办函〔2021〕30号), by code."""

    table3_rows: dict[str, str] = Field(examples=[{"received": "一、本年新收政府信息公开申请数量"}])
    table3_columns: dict[str, str] = Field(examples=[{"natural_person": "自然人"}])
    table4_columns: dict[str, str] = Field(examples=[{"administrative_review": "行政复议"}])
    table4_results: dict[str, str] = Field(examples=[{"upheld": "结果维持"}])


class AnnualReportOut(BaseModel):
    """政府信息公开工作年度报告 tables 三 and 四; ``unit_code`` or ``region``, never both."""

    model_config = ConfigDict(json_schema_extra={"examples": [ANNUAL_REPORT_EXAMPLE]})

    year: int
    unit_code: str | None = Field(None, description="单位代码 (a unit's report)")
    region: str | None = Field(None, description="行政区划代码前缀 (a region roll-up)")
    table3: Table3
    table4: Table4
    labels: ReportLabels = Field(description="中文名称 beside the codes: the form's rows and columns")
