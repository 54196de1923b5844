"""Responses (答卷) and third-party scores (第三方评估) as the API takes and returns them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.appraisal.schemas.campaigns import UnitCode
from services.appraisal.schemas.examples import EXAMPLES
from shared.vocabulary import AppraisalMethod

Answer = (
    Annotated[str, Field(max_length=20_000)]
    | Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=50)]
)


class ResponseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "unit_code": "EDU",
                    "method": "public",
                    "respondent_token": "r-3f9c2d1e8a7b6c5d4e3f",
                    "answers": {"q1": "satisfied", "q2": "basically_satisfied", "q7": "办事指南没有及时更新"},
                }
            ]
        },
    )

    unit_code: UnitCode
    method: AppraisalMethod = Field(
        "public", description="public 无需令牌；representative / supervisor 须带已登记评议员的令牌"
    )
    answers: dict[Annotated[str, Field(max_length=64)], Answer] = Field(
        max_length=200,
        description="题目编号 → 答案：满意度题 satisfied/basically_satisfied/unsatisfied，单选题一个选项编号，多选题编号列表，文字题原文",
    )
    respondent_token: str | None = Field(
        None,
        max_length=256,
        description="公众答卷人标识（16–256位）；不带时用 Cookie gk_respondent 或请求头 X-Respondent-Token",
    )


class ResponseOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ResponseOut"]})

    campaign_id: str
    unit_code: str
    method: AppraisalMethod
    submitted_at: datetime


class ThirdPartyScoreOut(BaseModel):
    unit_code: str
    score: Decimal
    remarks: str
    imported_at: datetime


class ThirdPartyImportOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": EXAMPLES["ThirdPartyImportOut"]})

    imported: int
    items: list[ThirdPartyScoreOut]
