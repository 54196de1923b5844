"""Use cases of the units directory (单位名录): list, read, create or replace, bulk import.

Each takes the caller's ``session`` (and ``ctx`` when it writes) and never commits: the router,
or the CLI command, owns the transaction (DESIGN §1).

The directory is public (applicants pick the unit they apply to), its contacts are not: names,
roles, phones and e-mails of a unit's people are shown to those who read the unit's work
(``Principal.can_read``: the office, admins, assessors, inspectors and the unit's own staff) and
are ``null`` for everyone else (《个人信息保护法》第六条: no more personal data than the purpose needs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import units
from services.requests.schemas.units import ImportResult, UnitContactIO, UnitIn, UnitOut
from services.requests.service import unit_import_file as unit_files
from shared.auth import Principal
from shared.db import stored_utc
from shared.errors import ProblemError, conflict, forbidden, not_found
from shared.etags import check_if_match
from shared.events import EventData, UnitContact, UnitUpserted
from shared.pagination import Page, SortKey, like_pattern, paginate

ProgressCallback = Callable[[int, int], None]


def _unit_state(unit: UnitIn) -> dict[str, Any]:
    """What a unit is, as stored and compared (version and timestamps aside)."""
    return {
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent_code,
        "region": unit.region,
        "contacts": [c.model_dump() for c in unit.contacts],
        "active": unit.active,
    }


def _row_state(row: Row[Any]) -> dict[str, Any]:
    return {
        "name": row.name,
        "kind": row.kind,
        "parent_code": row.parent_code,
        "region": row.region,
        "contacts": [UnitContactIO.model_validate(c).model_dump() for c in row.contacts or []],
        "active": bool(row.active),
    }


def sees_contacts(viewer: Principal | None, unit_code: str) -> bool:
    """Whether ``viewer`` is shown the unit's contacts (see the module docstring)."""
    return viewer is not None and viewer.can_read(unit_code)


def unit_out(row: Row[Any], viewer: Principal | None) -> UnitOut:
    state = _row_state(row)
    if not sees_contacts(viewer, row.unit_code):
        state["contacts"] = None
    return UnitOut(
        unit_code=row.unit_code,
        version=row.version,
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
        **state,
    )


def unit_event(code: str, state: dict[str, Any], version: int) -> tuple[EventData, str]:
    """``unit.upserted`` of the unit as it stands at ``version`` (its whole state: replicas replace
    their row with it when ``version`` is newer than theirs, see docs/reference-data.md)."""
    data = UnitUpserted(
        unit_code=code,
        name=state["name"],
        kind=state["kind"],
        parent_code=state["parent_code"],
        region=state["region"],
        contacts=[UnitContact(**{k: v for k, v in c.items() if v is not None}) for c in state["contacts"]],
        active=state["active"],
        version=version,
    )
    return data, code


def unit_event_of(row: Row[Any]) -> tuple[EventData, str]:
    """``unit.upserted`` of a stored unit, as it was last published (republish, catch-up)."""
    return unit_event(row.unit_code, _row_state(row), row.version)


async def list_units(
    session: AsyncSession,
    viewer: Principal | None,
    *,
    kind: str | None = None,
    region: str | None = None,
    parent_code: str | None = None,
    q: str | None = None,
    active: bool | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[UnitOut]:
    conditions = []
    if kind is not None:
        conditions.append(units.c.kind == kind)
    if region is not None:
        conditions.append(units.c.region == region)
    if parent_code is not None:
        conditions.append(units.c.parent_code == parent_code)
    if active is not None:
        conditions.append(units.c.active == active)
    if q:
        conditions.append(units.c.name.like(like_pattern(q), escape="\\"))
    page = await paginate(
        session, select(units).where(*conditions), [SortKey(units.c.unit_code)], limit=limit, cursor=cursor
    )
    return page.map(lambda row: unit_out(row, viewer))


async def get_unit(session: AsyncSession, viewer: Principal | None, unit_code: str) -> UnitOut:
    row = (await session.execute(select(units).where(units.c.unit_code == unit_code))).one_or_none()
    if row is None:
        raise not_found("单位", f"单位代码 {unit_code} 不存在")
    return unit_out(row, viewer)


async def _parents(session: AsyncSession) -> dict[str, str | None]:
    return {r.unit_code: r.parent_code for r in await session.execute(select(units.c.unit_code, units.c.parent_code))}


def _manages_directory(actor: Principal) -> bool:
    return actor.has_role("office", "admin")


async def put_unit(
    session: AsyncSession, ctx: Ctx, actor: Principal, unit_code: str, body: UnitIn, *, if_match: str | None = None
) -> tuple[UnitOut, bool]:
    """Create or replace a unit. Returns the unit and whether it was created.

    ``office``/``admin`` may do anything; a ``unit_admin`` only changes its own existing units,
    and not where they sit in the directory (kind, parent, active stay the office's decision).
    Emits ``unit.upserted`` and an audit entry only when something changed.
    """
    now = ctx.clock.now()
    state = _unit_state(body)
    row = (await session.execute(select(units).where(units.c.unit_code == unit_code))).one_or_none()
    if row is None and not _manages_directory(actor):
        raise forbidden("单位管理员不能新建单位，请联系政务公开主管部门")
    check_if_match(if_match, row.version if row is not None else None)
    before = _row_state(row) if row is not None else None
    if before is not None and not _manages_directory(actor):
        moved = [f for f in ("kind", "parent_code", "active") if before[f] != state[f]]
        if moved:
            raise forbidden(f"单位管理员不能修改 {', '.join(moved)}，请联系政务公开主管部门")
    if state["parent_code"] is not None and (before is None or before["parent_code"] != state["parent_code"]):
        problems = unit_files.hierarchy_errors({unit_code: state["parent_code"]}, await _parents(session))
        if unit_code in problems:
            code = "parent_not_found" if "不存在" in problems[unit_code] else "unit_cycle"
            raise ProblemError(422, code, "上级单位无效", problems[unit_code])
    if row is not None and before == state:
        return unit_out(row, actor), False
    if row is None:
        values = {"unit_code": unit_code, **state, "version": 1, "created_at": now, "updated_at": now}
        try:
            async with session.begin_nested():
                await session.execute(units.insert().values(**values))
        except IntegrityError as exc:
            raise conflict("concurrent_update", "单位已被同时创建", "请重新读取后再修改") from exc
        created_at, version = now, 1
    else:
        version = row.version + 1
        result = await session.execute(
            update(units)
            .where(units.c.unit_code == unit_code, units.c.version == row.version)
            .values(**state, version=version, updated_at=now)
        )
        if result.rowcount != 1:
            raise conflict("concurrent_update", "单位已被同时修改", "请重新读取后再修改")
        created_at = row.created_at
    action = "unit.created" if row is None else "unit.updated"
    after = {**state, "version": version}
    await ctx.journal.audit(session, actor, action, "unit", unit_code, before=before, after=after)
    # The audit entry above already says what changed: no second timeline entry for the event.
    await ctx.journal.emit_many(
        session, [unit_event(unit_code, state, version)], entity_type="unit", actor=actor, timeline=False
    )
    # Answered from what was written, without reading the row back.
    saved = UnitOut(
        unit_code=unit_code,
        version=version,
        created_at=stored_utc(created_at),
        updated_at=stored_utc(now),
        **{**state, "contacts": state["contacts"] if sees_contacts(actor, unit_code) else None},
    )
    return saved, row is None


async def import_units(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    content: bytes,
    filename: str | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Bulk import (批量导入) of a CSV/XLSX file: every row valid, or nothing stored.

    Each listed unit is replaced whole (like PUT; blank contact columns mean no contacts); units
    not in the file are left as they are. Parents may come later in the file. One transaction;
    one ``unit.upserted`` and one audit entry per unit that changed.
    """
    sheet = await asyncio.to_thread(unit_files.read_sheet, content, filename)
    parsed = unit_files.parse_units(sheet)
    now = ctx.clock.now()
    existing = {r.unit_code: r for r in await session.execute(select(units))}
    parents = {code: r.parent_code for code, r in existing.items()}
    changes = {code: p.unit.parent_code for code, p in parsed.units.items()}
    errors = list(parsed.errors)
    for code, message in unit_files.hierarchy_errors(changes, parents).items():
        errors.append(unit_files.row_error(parsed.units[code].row, "parent_code", message))
    if errors:
        errors.sort(key=lambda e: (e.row, e.field))
        raise ProblemError(
            422,
            "import_invalid",
            "导入文件有错误，未导入任何单位",
            f"{len(errors)} 处错误，请改正后重新导入",
            errors=[e.model_dump() for e in errors[:1000]],
            error_count=len(errors),
        )
    if not parsed.units:
        raise unit_files.unreadable("文件中没有数据行")

    created = updated = unchanged = 0
    order = unit_files.depth_order(parsed.units, {**parents, **changes})
    entries: list[tuple[str, str, str, Any, Any]] = []
    events: list[tuple[EventData, str]] = []
    total = len(order)
    for done, code in enumerate(order, start=1):
        state = _unit_state(parsed.units[code].unit)
        row = existing.get(code)
        before = _row_state(row) if row is not None else None
        if before == state:
            unchanged += 1
        elif row is None:
            created += 1
            await session.execute(
                units.insert().values(unit_code=code, **state, version=1, created_at=now, updated_at=now)
            )
            entries.append(("unit.created", "unit", code, None, {**state, "version": 1}))
            events.append(unit_event(code, state, 1))
        else:
            updated += 1
            await session.execute(
                update(units).where(units.c.unit_code == code).values(**state, version=row.version + 1, updated_at=now)
            )
            entries.append(("unit.updated", "unit", code, before, {**state, "version": row.version + 1}))
            events.append(unit_event(code, state, row.version + 1))
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    await ctx.journal.audit_many(session, actor, entries)
    await ctx.journal.emit_many(session, events, entity_type="unit", actor=actor, timeline=False)
    return ImportResult(
        rows=parsed.rows, created=created, updated=updated, unchanged=unchanged, ignored_columns=parsed.ignored_columns
    )
