"""Response of republishing the reference data (``POST /api/v1/admin/requests/republish``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RepublishResult(BaseModel):
    """重新发布的基础数据 / what was republished."""

    units: int = Field(description="发布的 unit.upserted 条数（全部单位，含停用的） / units published, inactive too")
    calendar_years: list[int] = Field(description="发布 calendar.updated 的已加载年份 / loaded years published")
