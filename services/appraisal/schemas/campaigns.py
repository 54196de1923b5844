"""Campaigns (评议方案): what the office sends and reads at ``/api/v1/campaigns``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.appraisal.schemas.examples import CAMPAIGN_EXAMPLE, EXAMPLES
from shared.labels import ActionLink, action_links
from shared.vocabulary import CAMPAIGN_ACTION_LABELS, AppraisalMethod, CampaignState, PanelCategory, QuestionKind

UNIT_CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
CAMPAIGN_ID_PATTERN = r"^[0-9a-f-]{36}$"
UnitCode = Annotated[str, Field(pattern=UNIT_CODE_PATTERN)]
Weight = Annotated[Decimal, Field(gt=0, le=1000, max_digits=12, decimal_places=6)]
Points = Annotated[Decimal, Field(ge=0, le=100, max_digits=6, decimal_places=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MethodWeightIO(Strict):
    method: AppraisalMethod = Field(
        description="public 公众评议 / representative 代表评议 / third_party 第三方评估 / supervisor 社会监督员评议"
    )
    weight: Annotated[Decimal, Field(gt=0, le=1, max_digits=8, decimal_places=6)] = Field(
        description="权重；各方式之和须等于1 / the weights add up to exactly 1"
    )


class ChoiceIO(Strict):
    code: str = Field(max_length=32, description="选项编号（表单提交的值）")
    label: str = Field(max_length=500, description="选项文字")


class QuestionIO(Strict):
    code: str = Field(max_length=32, description="题目编号，1–32位小写字母、数字或下划线")
    kind: QuestionKind = Field(description="rating 满意度 / single_choice / multiple_choice / free_text")
    text: str = Field(max_length=500)
    required: bool = True
    weight: Weight = Field(Decimal(1), description="满意度题的相对权重")
    choices: list[ChoiceIO] = Field(default_factory=list, max_length=50)
    max_selected: int | None = Field(None, ge=1, le=50)
    max_length: int = Field(500, ge=1, le=5000, description="文字题字数上限")
    collects_problems: bool = Field(False, description="文字题：答案汇入该单位的问题清单（第九条）")


class ConversionIO(Strict):
    """评议等次换算分值（第八条）."""

    satisfied: Points = Decimal(100)
    basically_satisfied: Points = Decimal(60)
    unsatisfied: Points = Decimal(0)


class BandsIO(Strict):
    """分数换回等次：≥ satisfied_from 满意，≥ basically_satisfied_from 基本满意，否则不满意."""

    satisfied_from: Points = Decimal(80)
    basically_satisfied_from: Points = Decimal(60)


class CampaignIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["CampaignIn"]})

    year: int = Field(ge=2000, le=2100, description="评议年度")
    name: str = Field(min_length=1, max_length=200)
    target_units: list[UnitCode] = Field(default_factory=list, max_length=2000, description="被评议单位代码")
    methods: list[MethodWeightIO] = Field(min_length=1, max_length=4)
    questions: list[QuestionIO] | None = Field(
        None, max_length=100, description="省略则用《社会评议办法》第五条（一）至（七）的默认问卷"
    )
    conversion: ConversionIO = Field(default_factory=ConversionIO)
    bands: BandsIO = Field(default_factory=BandsIO)
    min_responses: int = Field(30, ge=0, le=1_000_000, description="每个单位的最少有效答卷数，不足为 insufficient")
    opens_at: AwareDatetime
    closes_at: AwareDatetime


class CampaignPatch(Strict):
    """Only the fields sent change. Once open only ``name`` and ``closes_at`` may (409 otherwise)."""

    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["CampaignPatch"]})

    year: int | None = Field(None, ge=2000, le=2100)
    name: str | None = Field(None, min_length=1, max_length=200)
    target_units: list[UnitCode] | None = Field(None, max_length=2000)
    methods: list[MethodWeightIO] | None = Field(None, min_length=1, max_length=4)
    questions: list[QuestionIO] | None = Field(None, max_length=100)
    conversion: ConversionIO | None = None
    bands: BandsIO | None = None
    min_responses: int | None = Field(None, ge=0, le=1_000_000)
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None


class CampaignOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CAMPAIGN_EXAMPLE]})

    id: str
    year: int
    name: str
    state: CampaignState
    state_label: str
    target_units: list[str]
    methods: list[MethodWeightIO]
    questions: list[QuestionIO]
    conversion: ConversionIO
    bands: BandsIO
    min_responses: int
    opens_at: datetime
    closes_at: datetime
    version: int
    allowed_actions: list[ActionLink] = Field(description="可执行的操作（按钮）：照 method href 调用，带 If-Match")
    public_path: str = Field(description="公众评议页面路径 /appraisal/{id}")
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None

    @field_validator("allowed_actions", mode="before")
    @classmethod
    def _links(cls, actions: list[object], info: ValidationInfo) -> list[object]:
        campaign = info.data.get("id")
        return action_links(actions, CAMPAIGN_ACTION_LABELS, lambda action: f"/api/v1/campaigns/{campaign}/{action}")


class PanelMemberIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["PanelMemberIn"]})

    method: AppraisalMethod = Field(description="representative 或 supervisor")
    name: str = Field(min_length=1, max_length=100)
    category: str = Field(
        "other",
        pattern=r"^(npc_deputy|cppcc_member|media|expert|supervisor|other)$",
        description="npc_deputy 人大代表 / cppcc_member 政协委员 / media 媒体 / expert 专家 / supervisor 社会监督员 / other",
    )


class PanelMemberOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["PanelMemberOut"]})

    member_sub: str
    method: AppraisalMethod
    name: str
    category: PanelCategory
    added_at: datetime


class PanelOut(BaseModel):
    items: list[PanelMemberOut]
