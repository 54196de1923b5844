"""Calendar administration (节假日安排): ``/api/v1/calendar/{year}`` — thin: parse, authorize,
call ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.schemas.calendar import CalendarYearIn, CalendarYearOut
from services.requests.service import calendar as service
from shared.auth import Principal, require_roles
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.runtime import runtime_dependency, session_dependency

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar 工作日历"], responses=PROBLEM_RESPONSES)

Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]
Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]
Year = Annotated[int, Path(ge=2000, le=2100, description="年份 2000–2100 / year")]


@router.get("/{year}", response_model=CalendarYearOut, summary="某年节假日安排 / a year's arrangement (public)")
async def get_calendar_year(session: Session, runtime: Runtime, year: Year, response: Response) -> CalendarYearOut:
    """公开接口。``source``：builtin 内置（chinesecalendar）或 loaded（管理员加载）；未知年份返回
    ``known: false`` 与空列表（该年的期限仅按周末计算，为临时结果）。

    Unknown years are not an error: ``known: false``, empty lists."""
    arrangement = await service.get_calendar_year(session, runtime, year)
    if arrangement.version is not None:
        response.headers["ETag"] = etag(arrangement.version)
    return arrangement


@router.put("/{year}", response_model=CalendarYearOut, summary="加载某年节假日安排 / load a year's arrangement")
async def put_calendar_year(
    session: Session,
    runtime: Runtime,
    year: Year,
    body: CalendarYearIn,
    response: Response,
    actor: Annotated[Principal, Depends(require_roles("office", "admin"))],
    if_match: Annotated[
        str | None, Header(alias="If-Match", description="可选：已加载年份的 ETag / optional, the loaded year's ETag")
    ] = None,
) -> CalendarYearOut:
    """按国务院办公厅通知加载（或整体替换）某年安排：放假日 ``holidays`` 与调休上班日
    ``makeup_workdays``（须为周六或周日，且不与放假日重复，否则 422 ``invalid_calendar``）。
    保存后立即用于工作日计算，并发布 ``calendar.updated``。角色：office、admin。

    Replaces the year whole, counts with it at once and emits ``calendar.updated`` (only when
    it changed)."""
    arrangement = await service.put_calendar_year(session, runtime, actor, year, body, if_match=if_match)
    if arrangement.version is not None:
        response.headers["ETag"] = etag(arrangement.version)
    return arrangement
