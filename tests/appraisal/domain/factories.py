"""Campaign definitions for the domain tests: real dates, Asia/Shanghai (DESIGN §4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from services.appraisal.domain.campaigns import CampaignDefinition, MethodWeight
from services.appraisal.domain.questionnaire import Choice, Question, Questionnaire

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENS_AT = datetime(2024, 11, 1, 9, 0, tzinfo=SHANGHAI)
CLOSES_AT = datetime(2024, 11, 30, 17, 0, tzinfo=SHANGHAI)

# Two rating questions weighted 2 : 1 (the second optional), a choice of each kind and free text.
QUESTIONNAIRE = Questionnaire(
    questions=(
        Question(code="r1", kind="rating", text="公开的内容是否符合法律法规规章等有关规定", weight=Decimal(2)),
        Question(code="r2", kind="rating", text="公开的时间是否符合规定的时限要求", required=False),
        Question(
            code="channel",
            kind="single_choice",
            text="您主要通过哪个渠道了解该单位的政府信息",
            required=False,
            choices=(Choice("website", "政府网站"), Choice("new_media", "政务新媒体"), Choice("hall", "政务服务场所")),
        ),
        Question(
            code="needs",
            kind="multiple_choice",
            text="您最希望该单位公开哪些信息（最多选两项）",
            required=False,
            choices=(Choice("budget", "财政预决算"), Choice("policy", "政策文件"), Choice("services", "办事指南")),
            max_selected=2,
        ),
        Question(
            code="advice",
            kind="free_text",
            text="您发现的问题或意见建议",
            required=False,
            max_length=50,
            collects_problems=True,
        ),
    )
)

EVERY_METHOD = (
    MethodWeight("public", Decimal("0.4")),
    MethodWeight("representative", Decimal("0.3")),
    MethodWeight("third_party", Decimal("0.2")),
    MethodWeight("supervisor", Decimal("0.1")),
)


def campaign(**changes: Any) -> CampaignDefinition:
    base = CampaignDefinition(
        year=2024,
        name="2024年度政务公开工作社会评议",
        target_units=("U1", "U2", "U3", "U4"),
        methods=EVERY_METHOD,
        opens_at=OPENS_AT,
        closes_at=CLOSES_AT,
        questionnaire=QUESTIONNAIRE,
        min_responses=3,
    )
    return replace(base, **changes)
