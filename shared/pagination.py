"""Cursor pages for every list endpoint (DESIGN §10): ``?limit=&cursor=`` →
``{"items": […], "next_cursor": …}``.

A cursor is an opaque URL-safe token holding the sort key of the last item served; the next page
continues strictly after it (keyset pagination), so rows inserted meanwhile neither repeat nor
shift the pages. :func:`paginate` is the one implementation: it decodes and checks the cursor
against the sort columns' types (a cursor that is not ours is a 400, never a database error),
adds the keyset condition and the order, and encodes the next cursor.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Row, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import stored_utc
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


def _invalid_cursor() -> ProblemError:
    return ProblemError(400, "invalid_cursor", "分页游标无效", "cursor 须原样使用上一页返回的 next_cursor")


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    """The sort key inside a cursor; a 400 problem for anything that is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(key, list) or len(key) != arity:
        raise _invalid_cursor()
    return key


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order; the last key of a list must be unique (an id)."""

    column: ColumnElement[Any]
    descending: bool = False


MAX_KEY_CHARS = 200
_INT64 = 2**63


def _key_to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return stored_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _key_from_json(column: ColumnElement[Any], raw: Any) -> Any:
    """A cursor element back to the column's type; anything a cursor of ours cannot hold is a 400
    (naive or out-of-range instants, NULs, non-strings, huge integers) rather than reaching the database."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        python_type = str
    try:
        if python_type is datetime:
            if not isinstance(raw, str):
                raise ValueError
            moment = datetime.fromisoformat(raw)
            if moment.tzinfo is None:
                raise ValueError
            return moment.astimezone(UTC)
        if python_type is date:
            if not isinstance(raw, str):
                raise ValueError
            return date.fromisoformat(raw)
        if python_type is int:
            if isinstance(raw, bool) or not isinstance(raw, int) or not -_INT64 <= raw < _INT64:
                raise ValueError
            return raw
        if not isinstance(raw, str) or len(raw) > MAX_KEY_CHARS or "\x00" in raw:
            raise ValueError
        raw.encode()  # a lone surrogate (a "\\ud800" escape): UnicodeEncodeError, a ValueError
        return raw
    except (ValueError, OverflowError) as exc:
        raise _invalid_cursor() from exc


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the order of ``keys`` (any mix of directions)."""
    alternatives = []
    for i, key in enumerate(keys):
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        alternatives.append(and_(*(k.column == v for k, v in zip(keys[:i], values[:i], strict=True)), beyond))
    return or_(*alternatives)


@dataclass(frozen=True)
class RowsPage:
    rows: Sequence[Row[Any]]
    next_cursor: str | None

    def map(self, to_item: Callable[[Row[Any]], T]) -> Page[T]:
        return Page[T](items=[to_item(row) for row in self.rows], next_cursor=self.next_cursor)


async def paginate(
    session: AsyncSession, statement: Select[Any], keys: Sequence[SortKey], *, limit: int, cursor: str | None
) -> RowsPage:
    """One page of ``statement`` in the order of ``keys``, after ``cursor``; the statement's own
    filters stay as they are. ``statement`` must select the key columns."""
    if cursor:
        raw = decode_cursor(cursor, arity=len(keys))
        values = [_key_from_json(key.column, item) for key, item in zip(keys, raw, strict=True)]
        statement = statement.where(_after(keys, values))
    order = [key.column.desc() if key.descending else key.column.asc() for key in keys]
    rows = (await session.execute(statement.order_by(*order).limit(limit + 1))).all()
    if len(rows) <= limit:
        return RowsPage(rows, None)
    last = rows[limit - 1]._mapping
    next_cursor = encode_cursor([_key_to_json(last[key.column]) for key in keys])
    return RowsPage(rows[:limit], next_cursor)


def like_pattern(text: str) -> str:
    """``%text%`` for ``column.like(pattern, escape="\\")``, with the caller's ``%``, ``_`` and
    ``\\`` taken literally (a search box, not a wildcard language)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PageParams(BaseModel):
    limit: int
    cursor: str | None


def page_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="每页条数 / page size"),
    cursor: str | None = Query(None, max_length=1000, description="上一页的 next_cursor"),
) -> PageParams:
    """FastAPI dependency for the two paging query parameters."""
    return PageParams(limit=limit, cursor=cursor)
