"""Results (评议结果), problems (问题清单) and the units' rectification reports (整改情况)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.appraisal.schemas.examples import EXAMPLES, PROBLEM_EXAMPLE, RESULTS_EXAMPLE
from shared.vocabulary import AppraisalMethod, AppraisalResultStatus, CampaignState, SatisfactionRating


class RatingCountsOut(BaseModel):
    satisfied: int
    basically_satisfied: int
    unsatisfied: int


class MethodResultOut(BaseModel):
    method: AppraisalMethod
    responses: int
    counts: RatingCountsOut | None = Field(description="各等次答题次数；第三方评估为 null")
    satisfaction_rate: Decimal | None = Field(description="满意率 =（满意+基本满意）/ 答题次数，4位小数")
    score: Decimal


class ProblemOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PROBLEM_EXAMPLE]})

    id: str
    text: str
    mentions: int = Field(description="提到的次数；办公室新增的为0")
    methods: list[AppraisalMethod]
    rectification: str | None = Field(description="单位的整改情况（第九条）")
    rectified_at: datetime | None
    version: int


class UnitResultOut(BaseModel):
    unit_code: str
    unit_name: str | None
    status: AppraisalResultStatus
    responses: int
    score: Decimal | None
    rating: SatisfactionRating | None
    rating_label: str | None
    effective_weights: dict[str, Decimal]
    methods: list[MethodResultOut]
    problems: list[ProblemOut]


class ResultsOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RESULTS_EXAMPLE]})

    campaign_id: str
    state: CampaignState
    items: list[UnitResultOut]


class ProblemEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, max_length=36, description="保留的已有问题；省略为新增")
    text: str = Field(min_length=1, max_length=2000)


class ProblemsIn(BaseModel):
    """The unit's whole problem list as the office wants it published (order kept; missing ids dropped)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": EXAMPLES["ProblemsIn"]})

    problems: list[ProblemEdit] = Field(max_length=200)


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": EXAMPLES["RectificationIn"]})

    report: str = Field(min_length=1, max_length=5000, description="整改情况")


class SummaryUnitOut(BaseModel):
    unit_code: str
    unit_name: str | None
    status: AppraisalResultStatus
    score: Decimal | None
    rating: SatisfactionRating | None
    rating_label: str | None
    problems: int


class SummaryOut(BaseModel):
    """What the annual report says of the appraisal (第八条: 社会评议情况列入年度报告)."""

    campaign_id: str
    year: int
    name: str
    published_at: datetime
    responses: int
    units_rated: int
    units_insufficient: int
    ratings: RatingCountsOut = Field(description="被评议单位按等次计数")
    units: list[SummaryUnitOut]
