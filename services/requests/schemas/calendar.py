"""Request and response models of the working-day calendar (节假日安排): ``/api/v1/calendar/{year}``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.requests.schemas.examples import CALENDAR_EXAMPLE


class CalendarDayIO(BaseModel):
    """一个节假日或调休上班日 / a named holiday or make-up working day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    day: date = Field(description="日期 YYYY-MM-DD / the day")
    name: str = Field(min_length=1, max_length=50, description="名称，如 国庆节、国庆节调休上班 / name")


class CalendarYearIn(BaseModel):
    """某年的节假日安排（整体替换） / a year's holiday arrangement, replacing any loaded before."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "holidays": [{"day": "2027-01-01", "name": "元旦"}, {"day": "2027-02-05", "name": "春节"}],
                    "makeup_workdays": [{"day": "2027-02-20", "name": "春节调休上班"}],
                }
            ]
        },
    )

    holidays: list[CalendarDayIO] = Field(max_length=366, description="法定节假日（放假日） / public holidays")
    makeup_workdays: list[CalendarDayIO] = Field(
        default_factory=list, max_length=366, description="调休上班日（须为周六或周日） / weekend days worked"
    )


class CalendarYearOut(BaseModel):
    """某年的节假日安排 / a year's holiday arrangement as the service counts with it."""

    model_config = ConfigDict(json_schema_extra={"examples": [CALENDAR_EXAMPLE]})

    year: int = Field(description="年份 / year")
    known: bool = Field(description="是否已知；未知年份仅按周末计算且结果为临时 / false: weekends only, provisional")
    source: Literal["builtin", "loaded"] | None = Field(
        description="来源：builtin 内置（chinesecalendar）、loaded 管理员加载；未知年份为空 / where it comes from"
    )
    holidays: list[CalendarDayIO] = Field(description="法定节假日 / public holidays")
    makeup_workdays: list[CalendarDayIO] = Field(description="调休上班日 / make-up working days")
    version: int | None = Field(None, description="已加载年份的版本号（ETag） / version of a loaded year")
    updated_at: datetime | None = Field(None, description="加载时间（UTC） / when it was loaded")
    updated_by: str | None = Field(None, description="加载人 / who loaded it")
