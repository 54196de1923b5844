"""Who may read and act on an application (DESIGN §10), and loading the row a caller may see.

The handling unit's staff and the office act (``Principal.can_act``); the unit-wide roles and the
unit's staff read (``Principal.can_read``); an applicant with an account reads — and may withdraw —
their own application, the one rule local to applications.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.models import applications
from services.requests.service.applications.view import Application
from shared.auth import Principal
from shared.errors import ProblemError, not_found


def is_own(principal: Principal, row: Application) -> bool:
    """The applicant who applied with this account."""
    return principal.has_role("applicant") and row.applicant_sub is not None and row.applicant_sub == principal.sub


def may_read(principal: Principal | None, row: Application) -> bool:
    return principal is not None and (principal.can_read(row.unit_code) or is_own(principal, row))


def no_such_application(application_id: str) -> ProblemError:
    return not_found("申请", f"没有编号为 {application_id} 的申请")


async def load_application(session: AsyncSession, application_id: str, *, lock: bool = False) -> Application:
    """The application (``lock``: ``FOR UPDATE``, for an action), or 404."""
    statement = select(applications).where(applications.c.id == application_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise no_such_application(application_id)
    return Application.of(row)


async def load_readable(session: AsyncSession, principal: Principal | None, application_id: str) -> Application:
    """The application, if the caller may read it; otherwise the same 404 as for no application at
    all, so nobody learns that it exists."""
    row = await load_application(session, application_id)
    if not may_read(principal, row):
        raise no_such_application(application_id)
    return row
