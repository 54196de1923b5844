"""Who may read and act on accountability (DESIGN §10, issue 14 "Roles"), and loading what a caller may see.

- Inspectors (纪检监察), the office and admins run cases: open, assess, hear, decide, decide appeals,
  issue and review rectification orders.
- A unit's own staff see their unit's cases and orders, write statements for their unit's persons
  concerned and submit rectification reports.
- A person concerned sees the cases naming them and writes their own statement and appeal.
Nobody else learns that a case exists: an unreadable case is the same 404 as a missing one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.models import case_persons, cases, rectification_orders
from shared.auth import Principal
from shared.errors import ProblemError, forbidden, not_found

RUNNER_ROLES = ("inspector", "office", "admin")


def runs_cases(actor: Principal) -> bool:
    return actor.has_role(*RUNNER_ROLES)


def require_runner(actor: Principal, what: str = "该操作") -> None:
    if not runs_cases(actor):
        raise forbidden(f"{what}只能由纪检监察人员或政务公开主管部门办理")


def may_read_case(actor: Principal, unit_code: str, person_ids: Collection[str]) -> bool:
    return runs_cases(actor) or actor.is_staff_of(unit_code) or actor.sub in person_ids


def no_such_case(case_id: str) -> ProblemError:
    return not_found("案件", f"没有编号为 {case_id} 的案件")


async def load_case(session: AsyncSession, case_id: str, *, lock: bool = False) -> Any:
    statement = select(cases).where(cases.c.id == case_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise no_such_case(case_id)
    return row


async def person_rows(session: AsyncSession, case_id: str) -> list[Any]:
    return list(
        (
            await session.execute(
                select(case_persons).where(case_persons.c.case_id == case_id).order_by(case_persons.c.added_at)
            )
        ).all()
    )


async def load_readable_case(
    session: AsyncSession, actor: Principal, case_id: str, *, lock: bool = False
) -> tuple[Any, list[Any]]:
    """The case and its persons, if the caller may read it; otherwise a 404 without a hint."""
    row = await load_case(session, case_id, lock=lock)
    persons = await person_rows(session, case_id)
    if not may_read_case(actor, row.unit_code, {p.person_id for p in persons}):
        raise no_such_case(case_id)
    return row, persons


def no_such_order(order_id: str) -> ProblemError:
    return not_found("整改通知", f"没有编号为 {order_id} 的整改通知")


async def load_readable_order(session: AsyncSession, actor: Principal, order_id: str, *, lock: bool = False) -> Any:
    statement = select(rectification_orders).where(rectification_orders.c.id == order_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None or not (runs_cases(actor) or actor.is_staff_of(row.unit_code)):
        raise no_such_order(order_id)
    return row


def day_of(ctx: Ctx, on: date | None) -> date:
    """The day a step happened: today by default, never in the future."""
    today = ctx.clock.today()
    if on is None:
        return today
    if on > today:
        raise ProblemError(422, "date_in_future", "日期不能晚于今天", f"{on.isoformat()} 晚于 {today.isoformat()}")
    return on
