"""Pydantic models of ``/api/v1/schemes``: the scheme as stored, its categories' league tables and
the finalization of a category. The scheme *document* itself is the format of
``domain.scheme_format`` (its JSON Schema is served at ``GET /api/v1/schemes/json-schema``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.scoring.schemas.examples import EXAMPLES, SCHEME_EXAMPLE
from shared.vocabulary import Grade, SchemeState, SheetState


class CategorySummary(BaseModel):
    code: str
    name: str
    total: float
    partial: bool
    units: int = Field(description="被考核单位数")
    notice_date: date | None = Field(None, description="考核通知发出日期（考核方案 三(二)）")
    on_site_checks_from: date | None = Field(None, description="现场考核最早日期 = 通知日期 + 15 天")
    finalized: bool = Field(False, description="本类别评分表已全部审定")


class SchemeOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SCHEME_EXAMPLE]})

    id: str
    year: int
    name: str
    period_start: date
    period_end: date
    state: SchemeState
    version: int
    categories: list[CategorySummary]
    created_by: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    closed_at: datetime | None = None
    document: dict[str, Any] | None = Field(None, description="the scheme document (omitted in lists)")


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": EXAMPLES["NoticeIn"]})

    notice_date: date = Field(description="考核通知发出日期（考核方案 三(二)：提前15天发出考核通知）")


class ShortfallOut(BaseModel):
    code: str
    name: str
    points: float
    max_points: float
    threshold: float


class LeagueRow(BaseModel):
    sheet_id: str
    unit_code: str
    unit_name: str | None = None
    state: SheetState
    total: float
    graded_on: float = Field(description="等次所依据的分数（部分类别按比例折算）")
    grade: Grade
    rank: int | None
    vetoes: list[str]
    shortfalls: list[ShortfallOut]


class LeagueOut(BaseModel):
    scheme_id: str
    year: int
    category: str
    category_name: str
    final: bool = Field(
        description="true: the figures of record (finalized); false: provisional, from the entries so far"
    )
    rows: list[LeagueRow]


class FinalizeOut(BaseModel):
    scheme_id: str
    category: str
    finalized: int
    failed: list[str] = Field(description="unit codes graded 不合格")
    rows: list[LeagueRow]
