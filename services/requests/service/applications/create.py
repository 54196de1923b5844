"""Recording an application (依申请公开, 条例 第二十九条 — 第三十一条). The write path the benchmark
measures (bench/requests.py): one unit lookup, one INSERT, one audit entry, and the answer built from
what was written, never read back."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain.deadlines import Received
from services.requests.domain.duplicates import description_digest
from services.requests.models import applications, units
from services.requests.schemas.applications import ApplicationCreate, CreatedApplication
from services.requests.service.applications.view import (
    ID_CONTEXT,
    QUERY_CODE_CONTEXT,
    Application,
    journal_state,
    to_created,
)
from services.requests.service.provisional_due_dates import add_fact, deadline_of
from shared.auth import ACT_ON_ALL_UNITS_ROLES, Principal
from shared.clock import SHANGHAI, legal_date
from shared.db import insert_or_ignore
from shared.domain import DomainError, InvalidInput
from shared.errors import forbidden
from shared.events import RequestRegistered

# 条例 第三十一条: in person → the day submitted; registered mail → the day signed for. Every other
# channel waits for the office to confirm receipt (``register``).
RECEIVED_ON_SUBMISSION = frozenset({"in_person", "registered_mail"})
INTEGRATION_CHANNELS = frozenset({"hotline_12345", "provincial"})
_QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
TRACKING_NO_ATTEMPTS = 3


def _check_may_create(principal: Principal | None, body: ApplicationCreate) -> None:
    if body.channel in INTEGRATION_CHANNELS:
        if principal is None or not principal.has_role("integration", *ACT_ON_ALL_UNITS_ROLES):
            raise forbidden("12345 与省级平台的申请经集成接口提交")
        return
    if principal is None or not principal.can_act(body.unit_code):
        # A citizen applies online; paper, mail and fax applications are recorded by the unit's staff.
        if body.channel != "online":
            raise InvalidInput(
                "channel_requires_staff", "该申请渠道须由受理单位工作人员登记", f"channel={body.channel}"
            )
        if body.received_at is not None:
            raise InvalidInput("received_at_requires_staff", "只有工作人员登记纸质申请时可以填写收到时间")


def _received_at(now: datetime, received_at: datetime | None) -> datetime:
    if received_at is None:
        return now
    moment = received_at if received_at.tzinfo is not None else received_at.replace(tzinfo=SHANGHAI)
    if moment > now:
        raise InvalidInput("received_at_in_future", "收到时间不能晚于当前时间")
    return moment.astimezone(UTC)  # stored in UTC (SQLite keeps no offset; shared.db.stored_utc)


def _new_tracking_no(today: date) -> str:
    # 12 random digits: at 10,000 applications a day, a collision is a one-in-200-million event a
    # day, and _insert draws again if one happens anyway.
    return f"GK{today:%Y%m%d}{secrets.randbelow(10**12):012d}"


def _new_query_code() -> str:
    # 32 letters, so byte % 32 is unbiased; ten of them: 50 bits.
    return "".join(_QUERY_CODE_ALPHABET[b % 32] for b in secrets.token_bytes(10))


async def _insert(session: AsyncSession, values: dict[str, Any], today: date) -> None:
    """Inserts with ``ON CONFLICT DO NOTHING`` and draws another tracking number if it collided;
    a conflict that persists is the same 12345 work order or provincial id arriving twice."""
    statement = insert_or_ignore(session, applications)
    for _ in range(TRACKING_NO_ATTEMPTS):
        if (await session.execute(statement, values)).rowcount:
            return
        values["tracking_no"] = _new_tracking_no(today)
    raise DomainError("application_duplicate", "该申请已经登记", f"source_ref={values.get('source_ref')}")


async def create_application(
    session: AsyncSession,
    ctx: Ctx,
    principal: Principal | None,
    body: ApplicationCreate,
    *,
    source_ref: str | None = None,
) -> CreatedApplication:
    """Records an application; ``in_person`` and ``registered_mail`` ones are registered at once,
    which starts the clock (条例 第三十一条) and emits ``request.registered``."""
    _check_may_create(principal, body)
    unit = (
        await session.execute(select(units.c.active).where(units.c.unit_code == body.unit_code))
    ).scalar_one_or_none()
    if not unit:
        raise InvalidInput("unit_unknown", "受理单位不存在或已停用", f"unit_code={body.unit_code}")
    now = ctx.clock.now()
    today = legal_date(now)
    submitted_at = _received_at(now, body.received_at)
    received_on = legal_date(submitted_at) if body.channel in RECEIVED_ON_SUBMISSION else None
    cipher = ctx.resources.field_cipher
    query_code = _new_query_code()
    applicant = body.applicant
    id_number = applicant.id_number.upper() if applicant.id_number else None
    rule_set_name = ctx.resources.settings.rule_set
    deadline = (
        deadline_of(rule_set_name, ctx.calendar, [Received(received_on)], ctx.clock.today()) if received_on else None
    )
    digest = description_digest(body.description)
    id_index = cipher.blind_index(id_number, context=ID_CONTEXT) if id_number else None
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "tracking_no": _new_tracking_no(today),
        "query_code_index": cipher.blind_index(query_code, context=QUERY_CODE_CONTEXT),
        "unit_code": body.unit_code,
        "channel": body.channel,
        "applicant_type": applicant.type,
        "applicant_name": applicant.name,
        "applicant_id_type": applicant.id_type,
        "applicant_id_number": cipher.encrypt(id_number, context=ID_CONTEXT) if id_number else None,
        "applicant_id_index": id_index,
        "applicant_phone": applicant.phone,
        "applicant_email": applicant.email,
        "applicant_address": applicant.address,
        "applicant_organization": applicant.organization,
        "applicant_sub": principal.sub if principal is not None and principal.has_role("applicant") else None,
        "description": body.description,
        "purpose": body.purpose,
        "delivery_format": body.delivery.format,
        "delivery_method": body.delivery.method,
        "source_ref": source_ref,
        "state": "registered" if received_on else "submitted",
        "rule_set": rule_set_name,
        "submitted_at": submitted_at,
        "received_on": received_on,
        "due_on": deadline.due_on if deadline else None,
        "due_on_provisional": deadline.provisional if deadline else False,
        "clock_running": deadline.running if deadline else False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "description_digest": digest,
        "possible_duplicate_of": await _earlier_answered(session, body.unit_code, digest, id_index, applicant.name),
    }
    await _insert(session, values, today)
    row = Application(**values)
    actor = principal or Principal(sub="anonymous", name=applicant.name, roles=frozenset(), unit_codes=frozenset())
    await ctx.journal.audit(session, actor, "application.created", "application", row.id, after=journal_state(values))
    if received_on is not None:
        await add_fact(session, row.id, Received(received_on))
        await ctx.journal.emit(session, registered_event(row), subject=row.id, entity_type="application")
    return to_created(ctx, principal, row, query_code)


async def _earlier_answered(
    session: AsyncSession, unit_code: str, digest: str, id_index: str | None, name: str
) -> str | None:
    """条例 第三十六条(六) 重复申请: the latest application of the same applicant (by identity number, or
    by name without one) to the same unit with the same content that was already answered — a flag
    for the handler, never a conclusion (domain.duplicates)."""
    t = applications
    same_applicant = t.c.applicant_id_index == id_index if id_index else t.c.applicant_name == name
    return await session.scalar(
        select(t.c.id)
        .where(
            t.c.unit_code == unit_code,
            t.c.description_digest == digest,
            same_applicant,
            t.c.replied_on.is_not(None),
            t.c.outcome.not_like("other.%"),  # a lapse answered nothing: applying again is no repeat
        )
        .order_by(t.c.replied_on.desc(), t.c.id.desc())
        .limit(1)
    )


def registered_event(row: Application) -> RequestRegistered:
    """``request.registered``: the receipt started the clock (条例 第三十一条)."""
    return RequestRegistered(
        request_id=row.id,
        tracking_no=row.tracking_no,
        unit_code=row.unit_code,
        channel=row.channel,
        applicant_type=row.applicant_type,
        received_on=row.received_on,
        due_on=row.due_on,
        source_ref=row.source_ref,
    )
