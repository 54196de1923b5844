"""Cursor pages for every list endpoint (DESIGN §10): ``?limit=&cursor=`` →
``{"items": […], "next_cursor": …}``.

A cursor is an opaque URL-safe token holding the sort key of the last item served; the next page
continues strictly after it, so rows inserted meanwhile neither repeat nor shift the pages.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from shared.errors import ProblemError

T = TypeVar("T")
MAX_LIMIT = 500


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="传给下一次请求的 cursor；为空表示没有更多 / null when this is the last page"
    )


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    """The sort key inside a cursor; a 400 problem for anything that is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProblemError(400, "invalid_cursor", "分页游标无效", "cursor 须原样使用上一页返回的 next_cursor") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise ProblemError(400, "invalid_cursor", "分页游标无效", "cursor 须原样使用上一页返回的 next_cursor")
    return key


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="每页条数 / page size"),
    cursor: str | None = Query(None, max_length=1000, description="上一页的 next_cursor"),
) -> PageParams:
    """FastAPI dependency for the two paging query parameters."""
    return PageParams(limit=limit, cursor=cursor)
