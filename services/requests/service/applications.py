"""Use cases of disclosure applications (依申请公开, DESIGN §5): one transaction each, writing the
application, its clock facts, the audit entry and the outbox events together.

Who may do what (DESIGN §10): the handling unit's staff (``handler``, ``unit_admin`` with the unit
in their ``unit_codes``) and the office (``office``, ``admin``) act on an application; the
unit-wide roles read every application; an applicant reads their own. Identity numbers are shown
in clear only to the handling unit's staff.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import get_requests_settings
from services.requests.domain import deadlines as clock_rules
from services.requests.domain.deadlines import (
    CorrectionReceived,
    CorrectionRequested,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
)
from services.requests.domain.errors import DomainError
from services.requests.domain.fees import fee_amount
from services.requests.domain.rules import rule_set
from services.requests.domain.states import LAPSE_OUTCOMES, allowed_actions, transition
from services.requests.journal import SYSTEM, audit, emit
from services.requests.models import (
    applications,
    confidentiality_reviews,
    consultations,
    review_records,
    units,
)
from services.requests.schemas.applications import (
    ApplicantOut,
    ApplicationCreate,
    ApplicationOut,
    ConsultationOut,
    CreatedApplication,
    DeadlineOut,
    DeliveryOut,
    FeeOut,
    HandlerOut,
    PeriodOut,
    ReviewRecordIn,
    ReviewRecordOut,
    ReviewRecordPatch,
    SkippedDayOut,
    TimelineEntry,
    TrackOut,
)
from services.requests.service.provisional_due_dates import add_fact, deadline_of, load_facts, refresh_deadline
from shared.auth import Principal
from shared.clock import SHANGHAI, legal_date
from shared.crypto import FieldCipher, mask_identity_number
from shared.db import insert_or_ignore, stored_utc
from shared.errors import ProblemError, forbidden, not_found
from shared.etags import check_if_match
from shared.events import (
    ApplicantContact,
    RequestCorrectionReceived,
    RequestCorrectionRequested,
    RequestExtended,
    RequestRegistered,
    RequestReplied,
    RequestReviewDecided,
)
from shared.pagination import Page, decode_cursor, encode_cursor
from shared.runtime import ServiceRuntime

# 条例 第三十一条: in person → the day submitted; registered mail → the day signed for. Every other
# channel waits for the office to confirm receipt (``register``).
RECEIVED_ON_SUBMISSION = frozenset({"in_person", "registered_mail"})
INTEGRATION_CHANNELS = frozenset({"hotline_12345", "provincial"})
STAFF_ROLES = ("handler", "unit_admin")
OFFICE_ROLES = ("office", "admin")
ID_CONTEXT = "requests.applicant.id_number"
QUERY_CODE_CONTEXT = "requests.query_code"
_QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


# -- access ---------------------------------------------------------------------------------------


def is_unit_staff(principal: Principal | None, unit_code: str) -> bool:
    return principal is not None and principal.has_role(*STAFF_ROLES) and unit_code in principal.unit_codes


def can_read(principal: Principal | None, row: Any) -> bool:
    if principal is None:
        return False
    if principal.sees_all_units or is_unit_staff(principal, row.unit_code):
        return True
    return principal.has_role("applicant") and row.applicant_sub is not None and row.applicant_sub == principal.sub


def can_act(principal: Principal, unit_code: str) -> bool:
    return principal.has_role(*OFFICE_ROLES) or is_unit_staff(principal, unit_code)


def domain_problem(error: DomainError) -> ProblemError:
    """A broken rule is a conflict with the application's state (409), or bad input (422)."""
    status = 422 if error.code.endswith(("_invalid", "_required", "_too_long", "_missing")) else 409
    return ProblemError(status, error.code, error.title, error.detail, **error.extensions)


# -- reading --------------------------------------------------------------------------------------


def field_cipher(runtime: ServiceRuntime) -> FieldCipher:
    cipher = getattr(runtime, "field_cipher", None)
    if cipher is None:
        cipher = runtime.field_cipher = FieldCipher(runtime.settings)  # type: ignore[attr-defined]
    return cipher


def _identity_number(runtime: ServiceRuntime, principal: Principal | None, row: Any) -> str | None:
    if row.applicant_id_number is None:
        return None
    clear = field_cipher(runtime).decrypt(row.applicant_id_number, context=ID_CONTEXT)
    return clear if is_unit_staff(principal, row.unit_code) else mask_identity_number(clear)


def _overdue_since(runtime: ServiceRuntime, row: Any) -> date | None:
    if _clock_counts(row) and clock_rules.is_overdue(row.due_on, runtime.clock.today()):
        return date.fromordinal(row.due_on.toordinal() + 1)
    if row.on_time is False and row.due_on is not None:
        return date.fromordinal(row.due_on.toordinal() + 1)
    return None


def _clock_counts(row: Any) -> bool:
    """Open, with a due date, and the clock running: a paused application is never overdue, and
    its days left are not counting down."""
    return row.concluded_on is None and row.due_on is not None and bool(row.clock_running)


def to_out(runtime: ServiceRuntime, principal: Principal | None, row: Any, **extra: Any) -> ApplicationOut:
    """The API view of a row; ``extra`` fields (the query code, once) make it a CreatedApplication."""
    today = runtime.clock.today()
    open_with_due = _clock_counts(row)
    fee = row.fee
    return (CreatedApplication if extra else ApplicationOut)(
        **extra,
        id=row.id,
        tracking_no=row.tracking_no,
        unit_code=row.unit_code,
        channel=row.channel,
        applicant=ApplicantOut(
            type=row.applicant_type,
            name=row.applicant_name,
            id_type=row.applicant_id_type,
            id_number=_identity_number(runtime, principal, row),
            phone=row.applicant_phone,
            email=row.applicant_email,
            address=row.applicant_address,
            organization=row.applicant_organization,
        ),
        description=row.description,
        purpose=row.purpose,
        delivery=DeliveryOut(format=row.delivery_format, method=row.delivery_method),
        source_ref=row.source_ref,
        state=row.state,
        rule_set=row.rule_set,
        received_on=row.received_on,
        due_on=row.due_on,
        due_on_provisional=row.due_on_provisional,
        clock_running=row.clock_running,
        overdue=open_with_due and clock_rules.is_overdue(row.due_on, today),
        overdue_since=_overdue_since(runtime, row),
        working_days_left=clock_rules.working_days_left(runtime.calendar, row.due_on, today) if open_with_due else None,
        handler=HandlerOut(id=row.handler_id, name=row.handler_name) if row.handler_id else None,
        correction_lapse_on=row.correction_lapse_on,
        fee=FeeOut(
            **{
                **fee,
                "notified_on": date.fromisoformat(fee["notified_on"]),
                "due_on": date.fromisoformat(fee["due_on"]),
                "paid_on": date.fromisoformat(fee["paid_on"]) if fee.get("paid_on") else None,
            }
        )
        if fee
        else None,
        outcome=row.outcome,
        legal_basis=row.legal_basis,
        reply_text=row.reply_text,
        replied_on=row.replied_on,
        on_time=row.on_time,
        concluded_on=row.concluded_on,
        archived_on=row.archived_on,
        allowed_actions=allowed_actions(row.state),
        version=row.version,
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
    )


async def load_application(session: AsyncSession, application_id: str, *, lock: bool = False) -> Any:
    statement = select(applications).where(applications.c.id == application_id)
    if lock:
        statement = statement.with_for_update()
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise not_found("申请", f"没有编号为 {application_id} 的申请")
    return row


async def load_readable(session: AsyncSession, principal: Principal | None, application_id: str) -> Any:
    """The application, if the caller may read it; otherwise the same 404 as for no application at
    all, so nobody learns that it exists."""
    row = await load_application(session, application_id)
    if not can_read(principal, row):
        raise not_found("申请", f"没有编号为 {application_id} 的申请")
    return row


async def get_application(runtime: ServiceRuntime, principal: Principal | None, application_id: str) -> ApplicationOut:
    async with runtime.sessions() as session:
        row = await load_readable(session, principal, application_id)
        if row.concluded_on is None and row.due_on is not None and not row.clock_running:
            # Paused: the stored date is as of the pause's start; the clerk sees where it stands today
            # (DESIGN §5: the pause keeps excluding days until it ends).
            live = deadline_of(
                row.rule_set, runtime.calendar, await load_facts(session, application_id), runtime.clock.today()
            )
            row = SimpleNamespace(**{**row._mapping, "due_on": live.due_on, "due_on_provisional": live.provisional})
    return to_out(runtime, principal, row)


@dataclass(frozen=True)
class ApplicationFilters:
    unit_code: str | None = None
    state: str | None = None
    overdue: bool | None = None
    due_before: date | None = None
    channel: str | None = None
    applicant_type: str | None = None
    q: str | None = None


async def list_applications(
    runtime: ServiceRuntime, principal: Principal, filters: ApplicationFilters, limit: int, cursor: str | None
) -> Page[ApplicationOut]:
    """Newest first (created_at, id), scoped to what the caller may read."""
    t = applications
    conditions: list[Any] = []
    if not principal.sees_all_units:
        scopes = []
        if principal.has_role(*STAFF_ROLES) and principal.unit_codes:
            scopes.append(t.c.unit_code.in_(sorted(principal.unit_codes)))
        if principal.has_role("applicant"):
            scopes.append(t.c.applicant_sub == principal.sub)
        if not scopes:
            raise forbidden("当前角色不能查看申请列表")
        conditions.append(or_(*scopes))
    today = runtime.clock.today()
    if filters.unit_code:
        conditions.append(t.c.unit_code == filters.unit_code)
    if filters.state:
        conditions.append(t.c.state == filters.state)
    if filters.channel:
        conditions.append(t.c.channel == filters.channel)
    if filters.applicant_type:
        conditions.append(t.c.applicant_type == filters.applicant_type)
    if filters.due_before:
        conditions.append(and_(t.c.due_on < filters.due_before, t.c.concluded_on.is_(None)))
    if filters.overdue is True:  # as _clock_counts: a paused application is not overdue
        conditions.append(and_(t.c.concluded_on.is_(None), t.c.clock_running.is_(True), t.c.due_on < today))
    elif filters.overdue is False:
        conditions.append(
            or_(t.c.concluded_on.is_not(None), t.c.clock_running.is_(False), t.c.due_on.is_(None), t.c.due_on >= today)
        )
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(
            or_(
                t.c.description.like(pattern, escape="\\"),
                t.c.tracking_no.like(pattern, escape="\\"),
                t.c.applicant_name.like(pattern, escape="\\"),
            )
        )
    if cursor:
        created, last_id = decode_cursor(cursor, arity=2)
        try:
            created_at = datetime.fromisoformat(created)
        except (TypeError, ValueError) as exc:
            raise ProblemError(400, "invalid_cursor", "分页游标无效") from exc
        # Our cursors hold an aware instant and a string id; anything else would reach the database.
        if created_at.tzinfo is None or not isinstance(last_id, str) or len(last_id) > 64:
            raise ProblemError(400, "invalid_cursor", "分页游标无效", "cursor 须原样使用上一页返回的 next_cursor")
        conditions.append(or_(t.c.created_at < created_at, and_(t.c.created_at == created_at, t.c.id < last_id)))
    statement = select(t).where(*conditions).order_by(t.c.created_at.desc(), t.c.id.desc()).limit(limit + 1)
    async with runtime.sessions() as session:
        rows = (await session.execute(statement)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([stored_utc(rows[-1].created_at).isoformat(), rows[-1].id]) if more else None
    return Page[ApplicationOut](items=[to_out(runtime, principal, r) for r in rows], next_cursor=next_cursor)


async def deadline_of_application(
    runtime: ServiceRuntime, principal: Principal | None, application_id: str
) -> DeadlineOut:
    async with runtime.sessions() as session:
        row = await load_readable(session, principal, application_id)
        facts = await load_facts(session, application_id)
    today = runtime.clock.today()
    deadline = deadline_of(row.rule_set, runtime.calendar, facts, today)
    return DeadlineOut(
        rule_set=deadline.rule_set,
        rule_set_title=rule_set(deadline.rule_set).title,
        start=deadline.start,
        due_on=deadline.due_on,
        provisional=deadline.provisional,
        running=deadline.running,
        paused_by=list(deadline.paused_by),
        working_days_left=(
            clock_rules.working_days_left(runtime.calendar, deadline.due_on, today)
            if deadline.due_on is not None and row.concluded_on is None
            else None
        ),
        periods=[PeriodOut(**p.__dict__) for p in deadline.periods],
        skipped=[SkippedDayOut(day=d.day, name=d.name, kind=d.kind) for d in deadline.skipped],
        makeup_workdays=[
            SkippedDayOut(day=day, name=name, kind="makeup_workday") for day, name in deadline.makeup_workdays
        ],
    )


async def timeline(runtime: ServiceRuntime, principal: Principal, application_id: str) -> list[TimelineEntry]:
    """Every change and every event emitted, in order (the audit entries of the application)."""
    log = runtime.tables.audit_log
    async with runtime.sessions() as session:
        row = await load_readable(session, principal, application_id)
        entries = (
            await session.execute(
                select(log)
                .where(log.c.entity_type == "application", log.c.entity_id == application_id)
                .order_by(log.c.seq)
            )
        ).all()
    cipher = field_cipher(runtime) if is_unit_staff(principal, row.unit_code) else None
    return [
        TimelineEntry(
            at=stored_utc(e.at),
            actor=e.actor_sub,
            actor_name=e.actor_name,
            action=e.action,
            before=_identity_for(cipher, e.before),
            after=_identity_for(cipher, e.after),
        )
        for e in entries
    ]


def _identity_for(cipher: FieldCipher | None, state: Any) -> Any:
    """The journal keeps the identity number encrypted: in clear for the handling unit's staff
    (``cipher`` given), hidden for everyone else."""
    if not (isinstance(state, dict) and state.get("applicant_id_number")):
        return state
    shown = cipher.decrypt(state["applicant_id_number"], context=ID_CONTEXT) if cipher else "***"
    return {**state, "applicant_id_number": shown}


async def track(runtime: ServiceRuntime, tracking_no: str, query_code: str) -> TrackOut:
    """An applicant without an account follows their application with tracking no. + query code."""
    async with runtime.sessions() as session:
        row = (
            await session.execute(select(applications).where(applications.c.tracking_no == tracking_no))
        ).one_or_none()
    expected = field_cipher(runtime).blind_index(query_code.strip().upper(), context=QUERY_CODE_CONTEXT)
    if row is None or not secrets.compare_digest(row.query_code_index, expected):
        # One answer for "no such number" and "wrong code": nothing to enumerate.
        raise not_found("申请", "受理编号或查询码不正确")
    return TrackOut(
        tracking_no=row.tracking_no,
        unit_code=row.unit_code,
        state=row.state,
        received_on=row.received_on,
        due_on=row.due_on,
        due_on_provisional=row.due_on_provisional,
        outcome=row.outcome,
        replied_on=row.replied_on,
        reply_text=row.reply_text,
    )


# -- creating -------------------------------------------------------------------------------------


def _received_on(runtime: ServiceRuntime, received_at: datetime | None) -> tuple[datetime, date]:
    now = runtime.clock.now()
    if received_at is None:
        return now, legal_date(now)
    moment = received_at if received_at.tzinfo is not None else received_at.replace(tzinfo=SHANGHAI)
    if moment > now:
        raise ProblemError(422, "received_at_in_future", "收到时间不能晚于当前时间")
    return moment, legal_date(moment)


def _new_tracking_no(today: date) -> str:
    # 12 random digits: at 10,000 applications a day, a collision is a one-in-200-million event a
    # day, and _insert_application draws again if one happens anyway.
    return f"GK{today:%Y%m%d}{secrets.randbelow(10**12):012d}"


def _new_query_code() -> str:
    # 32 letters, so byte % 32 is unbiased; ten of them: 50 bits.
    return "".join(_QUERY_CODE_ALPHABET[b % 32] for b in secrets.token_bytes(10))


TRACKING_NO_ATTEMPTS = 3


async def _insert_application(session: AsyncSession, values: dict[str, Any], today: date) -> None:
    """Inserts with ``ON CONFLICT DO NOTHING`` and draws another tracking number if it collided;
    a conflict that persists is the same 12345 work order or provincial id arriving twice."""
    statement = insert_or_ignore(session, applications)
    for _ in range(TRACKING_NO_ATTEMPTS):
        if (await session.execute(statement, values)).rowcount:
            return
        values["tracking_no"] = _new_tracking_no(today)
    raise ProblemError(409, "application_duplicate", "该申请已经登记", f"source_ref={values.get('source_ref')}")


async def create_application(
    runtime: ServiceRuntime,
    principal: Principal | None,
    body: ApplicationCreate,
    *,
    source_ref: str | None = None,
    session: AsyncSession | None = None,
) -> CreatedApplication:
    """Records an application; ``in_person`` and ``registered_mail`` ones are registered at once.

    ``session``: run inside the caller's transaction (12345 / provincial intake)."""
    _check_may_create(principal, body)
    if session is None:
        async with runtime.sessions.begin() as own:
            return await _create(runtime, own, principal, body, source_ref)
    return await _create(runtime, session, principal, body, source_ref)


def _check_may_create(principal: Principal | None, body: ApplicationCreate) -> None:
    if body.channel in INTEGRATION_CHANNELS:
        if principal is None or not principal.has_role("integration", *OFFICE_ROLES):
            raise forbidden("12345 与省级平台的申请经集成接口提交")
        return
    staff = principal is not None and can_act(principal, body.unit_code)
    if not staff:
        # A citizen applies online; paper, mail and fax applications are recorded by the unit's staff.
        if body.channel != "online":
            raise ProblemError(
                422, "channel_requires_staff", "该申请渠道须由受理单位工作人员登记", f"channel={body.channel}"
            )
        if body.received_at is not None:
            raise ProblemError(422, "received_at_requires_staff", "只有工作人员登记纸质申请时可以填写收到时间")


async def _create(
    runtime: ServiceRuntime,
    session: AsyncSession,
    principal: Principal | None,
    body: ApplicationCreate,
    source_ref: str | None,
) -> CreatedApplication:
    unit = (
        await session.execute(select(units.c.unit_code, units.c.active).where(units.c.unit_code == body.unit_code))
    ).one_or_none()
    if unit is None or not unit.active:
        raise ProblemError(422, "unit_unknown", "受理单位不存在或已停用", f"unit_code={body.unit_code}")
    submitted_at, received_day = _received_on(runtime, body.received_at)
    registered_now = body.channel in RECEIVED_ON_SUBMISSION
    settings = get_requests_settings()
    cipher = field_cipher(runtime)
    query_code = _new_query_code()
    application_id = str(uuid.uuid4())
    now = runtime.clock.now()
    applicant = body.applicant
    id_number = applicant.id_number.upper() if applicant.id_number else None
    values: dict[str, Any] = {
        "id": application_id,
        "tracking_no": _new_tracking_no(legal_date(now)),
        "query_code_index": cipher.blind_index(query_code, context=QUERY_CODE_CONTEXT),
        "unit_code": body.unit_code,
        "channel": body.channel,
        "applicant_type": applicant.type,
        "applicant_name": applicant.name,
        "applicant_id_type": applicant.id_type,
        "applicant_id_number": cipher.encrypt(id_number, context=ID_CONTEXT) if id_number else None,
        "applicant_id_index": cipher.blind_index(id_number, context=ID_CONTEXT) if id_number else None,
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
        "state": "registered" if registered_now else "submitted",
        "rule_set": settings.rule_set,
        "submitted_at": submitted_at,
        "received_on": received_day if registered_now else None,
        "due_on": None,
        "due_on_provisional": False,
        "clock_running": False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await _insert_application(session, values, legal_date(now))
    actor = principal or Principal(sub="anonymous", name=applicant.name, roles=frozenset(), unit_codes=frozenset())
    await audit(
        runtime, session, actor, "application.created", "application", application_id, after=_journal_state(values)
    )
    if registered_now:
        await _receive(runtime, session, application_id, received_day)
        row: Any = await load_application(session, application_id)
    else:
        # Nothing but the insert changed it: answer from what was written, without reading it back.
        row = SimpleNamespace(**{**{column.name: None for column in applications.columns}, **values})
    return to_out(runtime, principal, row, query_code=query_code)  # type: ignore[return-value]


async def _receive(runtime: ServiceRuntime, session: AsyncSession, application_id: str, received_on: date) -> None:
    """条例 第三十一条: the receipt starts the clock; emits ``request.registered``."""
    await add_fact(session, application_id, Received(received_on))
    row = await load_application(session, application_id)
    await refresh_deadline(session, application_id, row.rule_set, runtime.calendar, runtime.clock.today())
    row = await load_application(session, application_id)
    await emit(
        runtime,
        session,
        RequestRegistered(
            request_id=row.id,
            tracking_no=row.tracking_no,
            unit_code=row.unit_code,
            channel=row.channel,
            applicant_type=row.applicant_type,
            received_on=received_on,
            due_on=row.due_on,
            source_ref=row.source_ref,
        ),
        subject=row.id,
    )


def _journal_state(values: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of an application: its fields, the identity number still encrypted."""
    keep = {k: v for k, v in values.items() if k not in ("query_code_index", "applicant_id_index")}
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in keep.items()}


# -- acting ---------------------------------------------------------------------------------------


@dataclass
class Step:
    """What an action's body sees and changes, inside the transaction."""

    runtime: ServiceRuntime
    session: AsyncSession
    actor: Principal
    row: Any
    on: date
    today: date
    values: dict[str, Any] = field(default_factory=dict)
    state: str | None = None
    clock_changed: bool = False
    after: list[Callable[[Any], Awaitable[None]]] = field(default_factory=list)  # run with the new row


async def perform(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    action: str,
    if_match: str | None,
    on: date | None,
    body: Callable[[Step], Awaitable[None]],
    *,
    system: bool = False,
    applicant_may: bool = False,
) -> ApplicationOut:
    async with runtime.sessions.begin() as session:
        row = await load_application(session, application_id, lock=True)
        if not system:
            if not can_read(actor, row) and not can_act(actor, row.unit_code):
                raise not_found("申请", f"没有编号为 {application_id} 的申请")
            own = applicant_may and actor.has_role("applicant") and row.applicant_sub == actor.sub
            if not can_act(actor, row.unit_code) and not own:
                raise forbidden("只有受理单位或政务公开主管部门可以办理该申请")
            check_if_match(if_match, row.version, required=True)
        today = runtime.clock.today()
        day = on or today
        if day > today:
            raise ProblemError(422, "on_in_future", "办理日期不能晚于今天", f"on={day}，今天为 {today}")
        earliest = row.received_on or legal_date(stored_utc(row.submitted_at))
        if day < earliest:
            raise ProblemError(
                422, "on_before_receipt", "办理日期不能早于收到申请的日期", f"on={day}，收到日期 {earliest}"
            )
        step = Step(runtime, session, actor, row, day, today)
        try:
            await body(step)
            if step.state is None:
                step.state = transition(row.state, action)
        except DomainError as error:
            raise domain_problem(error) from error
        values = {**step.values, "state": step.state, "version": row.version + 1, "updated_at": runtime.clock.now()}
        await session.execute(update(applications).where(applications.c.id == application_id).values(**values))
        if step.clock_changed:
            try:
                await refresh_deadline(session, application_id, row.rule_set, runtime.calendar, today)
            except DomainError as error:
                raise domain_problem(error) from error
        new = await load_application(session, application_id)
        if step.after:
            for follow_up in step.after:
                await follow_up(new)
            new = await load_application(session, application_id)
        await audit(
            runtime,
            session,
            actor,
            f"application.{action}",
            "application",
            application_id,
            before=_journal_state(dict(row._mapping)),
            after=_journal_state(dict(new._mapping)),
        )
    return to_out(runtime, actor, new)


async def register(
    runtime: ServiceRuntime, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    """条例 第三十一条: the office confirms receipt of a mail/online/fax application; the clock starts."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "register")
        step.values["received_on"] = step.on
        step.after.append(lambda new: _receive(runtime, step.session, new.id, step.on))

    return await perform(runtime, actor, application_id, "register", if_match, on, body)


async def request_correction(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    allowed_working_days: int,
    note: str,
) -> ApplicationOut:
    """条例 第三十条: one notice of everything to correct, within 7 working days of receipt; the clock
    stops until the corrected application arrives."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "request-correction")
        rules = rule_set(step.row.rule_set)
        notice_due = clock_rules.correction_notice_due(rules, runtime.calendar, step.row.received_on)
        if step.on > notice_due:
            raise DomainError(
                "correction_notice_late",
                "补正通知须在收到申请之日起7个工作日内一次性发出（条例第三十条）",
                f"最迟 {notice_due}",
            )
        await add_fact(step.session, step.row.id, CorrectionRequested(step.on))
        step.clock_changed = True
        step.values["correction_lapse_on"] = clock_rules.correction_lapse_on(
            runtime.calendar, step.on, allowed_working_days
        )

        async def announce(new: Any) -> None:
            await emit(
                runtime,
                step.session,
                RequestCorrectionRequested(request_id=new.id, unit_code=new.unit_code, on=step.on),
                subject=new.id,
                actor=actor,
            )
            await audit(
                runtime, step.session, actor, "application.correction_note", "application", new.id, after={"note": note}
            )

        step.after.append(announce)

    return await perform(runtime, actor, application_id, "request-correction", if_match, on, body)


async def receive_correction(
    runtime: ServiceRuntime, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    """条例 第三十条: the reply period restarts in full from the day the corrected application arrives."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "receive-correction")
        facts = await load_facts(step.session, step.row.id)
        requested = max((f.on for f in facts if isinstance(f, CorrectionRequested)), default=None)
        if requested is not None and step.on < requested:
            # Bad input (422), not a conflict: the clerk typed a day before the notice went out.
            raise DomainError(
                "on_before_notice_invalid", "收到补正的日期不能早于补正通知日期", f"补正通知日期 {requested}"
            )
        await add_fact(step.session, step.row.id, CorrectionReceived(step.on))
        step.clock_changed = True
        step.values["correction_lapse_on"] = None
        step.after.append(
            lambda new: emit(
                runtime,
                step.session,
                RequestCorrectionReceived(request_id=new.id, unit_code=new.unit_code, on=step.on),
                subject=new.id,
                actor=actor,
            )
        )

    return await perform(runtime, actor, application_id, "receive-correction", if_match, on, body)


async def assign(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    handler_id: str,
    handler_name: str,
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "assign")
        step.values.update(handler_id=handler_id, handler_name=handler_name)

    return await perform(runtime, actor, application_id, "assign", if_match, on, body)


async def start_consultation(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    party: str,
    kind: str,
) -> tuple[ConsultationOut, int]:
    """条例 第三十二条、第三十四条: the time a third party or another agency takes does not count.

    Returns the consultation and the application's new version (the route's ``ETag``)."""
    consultation_id = str(uuid.uuid4())

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "start-consultation")
        rules = rule_set(step.row.rule_set)
        await step.session.execute(
            consultations.insert().values(
                id=consultation_id,
                application_id=step.row.id,
                party=party,
                kind=kind,
                started_on=step.on,
                due_on=clock_rules.consultation_due(rules, runtime.calendar, step.on),
            )
        )
        await add_fact(step.session, step.row.id, PauseStarted(consultation_id, "consultation", step.on))
        step.clock_changed = True

    out = await perform(runtime, actor, application_id, "start-consultation", if_match, on, body)
    return await _consultation(runtime, consultation_id), out.version


async def close_consultation(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    consultation_id: str,
    if_match: str | None,
    on: date | None,
    opinion: str | None,
) -> tuple[ConsultationOut, int]:
    """Ends a consultation; returns it and the application's new version (the route's ``ETag``)."""

    async def body(step: Step) -> None:
        # The state first: closing a consultation of an archived application is an illegal
        # transition (409), whatever the consultation id says.
        transition(step.row.state, "close-consultation")
        current = (
            await step.session.execute(
                select(consultations).where(
                    consultations.c.id == consultation_id, consultations.c.application_id == step.row.id
                )
            )
        ).one_or_none()
        if current is None:
            raise not_found("征求意见记录")
        if current.closed_on is not None:
            raise DomainError("consultation_closed", "该征求意见已结束")
        if step.on < current.started_on:
            raise DomainError("on_before_start_invalid", "结束日期不能早于开始日期")
        still_open = await step.session.scalar(
            select(func.count())
            .select_from(consultations)
            .where(
                consultations.c.application_id == step.row.id,
                consultations.c.closed_on.is_(None),
                consultations.c.id != consultation_id,
            )
        )
        step.state = transition(step.row.state, "close-consultation", consultations_still_open=still_open or 0)
        await step.session.execute(
            update(consultations)
            .where(consultations.c.id == consultation_id)
            .values(closed_on=step.on, opinion=opinion)
        )
        await add_fact(step.session, step.row.id, PauseEnded(consultation_id, step.on))
        step.clock_changed = True

    out = await perform(runtime, actor, application_id, "close-consultation", if_match, on, body)
    return await _consultation(runtime, consultation_id), out.version


async def _consultation(runtime: ServiceRuntime, consultation_id: str) -> ConsultationOut:
    async with runtime.sessions() as session:
        row = (await session.execute(select(consultations).where(consultations.c.id == consultation_id))).one()
    return ConsultationOut(**{k: row._mapping[k] for k in ConsultationOut.model_fields})


async def extend(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    working_days: int,
    reason: str,
    approver: str,
) -> ApplicationOut:
    """条例 第三十三条: once, at most 20 working days (the rule set's), with reason and approver."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "extend")
        rules = rule_set(step.row.rule_set)
        facts = await load_facts(step.session, step.row.id)
        clock_rules.extension_allowed(rules, facts, working_days)
        # While paused the stored date is as of the pause's start; the period stands where the
        # clock says today.
        due_on = deadline_of(step.row.rule_set, runtime.calendar, facts, step.today).due_on
        if due_on is not None and clock_rules.is_overdue(due_on, step.on):
            raise DomainError("extension_after_due", "答复期限届满后不能再延长", f"期限为 {due_on}")
        await add_fact(step.session, step.row.id, Extended(working_days, step.on, reason, approver))
        step.clock_changed = True
        step.after.append(
            lambda new: emit(
                runtime,
                step.session,
                RequestExtended(request_id=new.id, unit_code=new.unit_code, due_on=new.due_on),
                subject=new.id,
                actor=actor,
            )
        )

    return await perform(runtime, actor, application_id, "extend", if_match, on, body)


async def fee_notice(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    method: str,
    pages: int | None,
) -> ApplicationOut:
    """条例 第四十二条; 国办函〔2020〕109号: the clock pauses from the notice until payment."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "fee-notice")
        nth = None
        if method == "per_application":
            # 国办函〔2020〕109号 按件计收: this application's rank among the applicant's applications
            # received in the calendar month of its receipt (by identity, or name without one) —
            # not the count on the day of the notice: the 10th stays free when the 11th came in
            # before the notice, and a notice in the next month still counts the month of receipt.
            t = applications
            received, row = step.row.received_on, step.row
            month_start = received.replace(day=1)
            next_month = (month_start + timedelta(days=32)).replace(day=1)
            same_applicant = (
                t.c.applicant_id_index == row.applicant_id_index
                if row.applicant_id_index
                else t.c.applicant_name == row.applicant_name
            )
            not_later = or_(
                t.c.received_on < received,
                and_(
                    t.c.received_on == received,
                    or_(t.c.created_at < row.created_at, and_(t.c.created_at == row.created_at, t.c.id <= row.id)),
                ),
            )
            nth = await step.session.scalar(
                select(func.count())
                .select_from(t)
                .where(same_applicant, t.c.received_on >= month_start, t.c.received_on < next_month, not_later)
            )
        amount = fee_amount(method, nth_in_month=nth, pages=pages)  # type: ignore[arg-type]
        if amount == 0:
            raise DomainError("fee_not_due", "按规定该申请不需缴纳信息处理费", "在免费范围内")
        rules = rule_set(step.row.rule_set)
        step.values["fee"] = {
            "method": method,
            "pages": pages,
            "nth_in_month": nth,
            "amount": amount,
            "notified_on": step.on.isoformat(),
            "due_on": clock_rules.fee_payment_due(rules, runtime.calendar, step.on).isoformat(),
            "paid_on": None,
        }
        await add_fact(step.session, step.row.id, PauseStarted(f"fee-{step.row.version}", "fee", step.on))
        step.clock_changed = True

    return await perform(runtime, actor, application_id, "fee-notice", if_match, on, body)


async def fee_payment(
    runtime: ServiceRuntime, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "fee-payment")
        fee = dict(step.row.fee or {})
        if step.on < date.fromisoformat(fee["notified_on"]):
            raise DomainError("on_before_notice_invalid", "缴费日期不能早于缴费通知日期")
        fee["paid_on"] = step.on.isoformat()
        step.values["fee"] = fee
        await add_fact(step.session, step.row.id, PauseEnded(await _open_fee_pause(step), step.on))
        step.clock_changed = True

    return await perform(runtime, actor, application_id, "fee-payment", if_match, on, body)


async def _open_fee_pause(step: Step) -> str:
    facts = await load_facts(step.session, step.row.id)
    ended = {f.ref for f in facts if isinstance(f, PauseEnded)}
    return next(
        f.ref for f in reversed(facts) if isinstance(f, PauseStarted) and f.kind == "fee" and f.ref not in ended
    )


async def review(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    opinion: str,
    reviewer: str,
    reason: str | None,
) -> ApplicationOut:
    """保密审查 of the draft reply (seed 001 保密审查制度): disclose / withhold / refer."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "review", opinion=opinion)
        await step.session.execute(
            confidentiality_reviews.insert().values(
                application_id=step.row.id, opinion=opinion, reviewer=reviewer, reason=reason, on=step.on
            )
        )

    return await perform(runtime, actor, application_id, "review", if_match, on, body)


async def _latest_opinion(session: AsyncSession, application_id: str) -> str | None:
    return await session.scalar(
        select(confidentiality_reviews.c.opinion)
        .where(confidentiality_reviews.c.application_id == application_id)
        .order_by(confidentiality_reviews.c.seq.desc())
        .limit(1)
    )


async def reply(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    outcome: str,
    legal_basis: str,
    text: str,
) -> ApplicationOut:
    """条例 第三十六条: the reply, with exactly one outcome and its legal basis."""

    async def body(step: Step) -> None:
        latest = await _latest_opinion(step.session, step.row.id)
        step.state = transition(step.row.state, "reply", outcome=outcome, latest_opinion=latest)
        _conclude(step, outcome, legal_basis, text)

    return await perform(runtime, actor, application_id, "reply", if_match, on, body)


def _conclude(step: Step, outcome: str, legal_basis: str | None, text: str | None) -> None:
    # A lapse ends a stopped or paused clock: the applicant let the period run out, the office was
    # not late.
    lapsed = outcome in LAPSE_OUTCOMES.values()
    on_time = lapsed or step.row.due_on is None or step.on <= step.row.due_on
    step.values.update(
        outcome=outcome,
        legal_basis=legal_basis,
        reply_text=text,
        replied_on=step.on,
        concluded_on=step.on,
        on_time=on_time,
        clock_running=False,
    )

    async def announce(new: Any) -> None:
        contact = ApplicantContact(
            phone=new.applicant_phone if new.delivery_method in ("post", "other", "pickup") else None,
            email=new.applicant_email if new.delivery_method in ("email", "online") else None,
        )
        await emit(
            step.runtime,
            step.session,
            RequestReplied(
                request_id=new.id,
                tracking_no=new.tracking_no,
                unit_code=new.unit_code,
                outcome=outcome,
                replied_on=step.on,
                on_time=on_time,
                source_ref=new.source_ref,
                applicant_contact=contact,
            ),
            subject=new.id,
            actor=step.actor,
        )

    step.after.append(announce)


async def lapse(runtime: ServiceRuntime, application_id: str, action: str) -> ApplicationOut:
    """The system concludes an application whose correction or fee period ran out (条例 第三十条;
    国办函〔2020〕109号): ``lapse-correction`` → other.correction_lapsed, ``lapse-fee`` → other.fee_unpaid."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, action)
        if action == "lapse-correction":
            period_end = step.row.correction_lapse_on
            if period_end is None or step.on <= period_end:
                raise DomainError("correction_period_running", "补正期限尚未届满", f"期限为 {period_end}")
        else:
            period_end = date.fromisoformat((step.row.fee or {})["due_on"])
            if step.on <= period_end:
                raise DomainError("fee_period_running", "缴费期限尚未届满", f"期限为 {period_end}")
        # Concluded on the first working day after the period ran out, even when the sweep comes
        # later (an outage); never later than today.
        step.on = min(runtime.calendar.add_working_days(period_end, 1).day, step.today)
        _conclude(step, LAPSE_OUTCOMES[action], None, None)

    return await perform(runtime, SYSTEM, application_id, action, None, None, body, system=True)


async def withdraw(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    reason: str | None,
) -> ApplicationOut:
    """Withdrawn before a reply — by the unit recording the applicant's withdrawal, or by the
    applicant themselves (with the account they applied with); counts as 其他处理 (other.other) in
    the annual report."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "withdraw")
        step.values.update(concluded_on=step.on, clock_running=False, reply_text=reason)

    return await perform(runtime, actor, application_id, "withdraw", if_match, on, body, applicant_may=True)


async def archive(
    runtime: ServiceRuntime, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "archive")
        step.values["archived_on"] = step.on

    return await perform(runtime, actor, application_id, "archive", if_match, on, body)


# -- administrative review and litigation (行政复议、行政诉讼) -----------------------------------------


def _record_out(row: Row[Any]) -> ReviewRecordOut:
    return ReviewRecordOut(**{k: row._mapping[k] for k in ReviewRecordOut.model_fields})


def _check_record(
    kind: str, after_review: bool, filed_on: date, result: str, decided_on: date | None, today: date
) -> None:
    if kind == "administrative_review" and after_review:
        raise ProblemError(422, "after_review_invalid", "行政复议不能是“复议后起诉”", "after_review 只用于诉讼")
    if (result == "pending") != (decided_on is None):
        raise ProblemError(
            422, "decision_inconsistent", "结果与审结日期不一致", "pending 不能有 decided_on；其他结果必须有"
        )
    if decided_on is not None and decided_on < filed_on:
        raise ProblemError(422, "decided_before_filed", "审结日期不能早于立案日期")
    if filed_on > today or (decided_on is not None and decided_on > today):
        raise ProblemError(422, "date_in_future", "日期不能晚于今天")


async def add_review_record(
    runtime: ServiceRuntime, actor: Principal, application_id: str, body: ReviewRecordIn
) -> ReviewRecordOut:
    record_id = str(uuid.uuid4())
    _check_record(body.kind, body.after_review, body.filed_on, body.result, body.decided_on, runtime.clock.today())
    async with runtime.sessions.begin() as session:
        row = await load_readable(session, actor, application_id)
        if not can_act(actor, row.unit_code):
            raise forbidden("只有受理单位或政务公开主管部门可以登记复议诉讼")
        values = {
            "id": record_id,
            "application_id": application_id,
            "unit_code": row.unit_code,
            **body.model_dump(),
            "version": 1,
        }
        await session.execute(review_records.insert().values(**values))
        await audit(
            runtime,
            session,
            actor,
            "review_record.created",
            "application",
            application_id,
            after=_journal_state(values),
        )
        await _announce_review(runtime, session, actor, row.unit_code, application_id, body.kind, body.result)
        record = (await session.execute(select(review_records).where(review_records.c.id == record_id))).one()
    return _record_out(record)


async def update_review_record(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    record_id: str,
    body: ReviewRecordPatch,
    if_match: str | None,
) -> ReviewRecordOut:
    async with runtime.sessions.begin() as session:
        await load_readable(session, actor, application_id)
        record = (
            await session.execute(
                select(review_records)
                .where(review_records.c.id == record_id, review_records.c.application_id == application_id)
                .with_for_update()
            )
        ).one_or_none()
        if record is None:
            raise not_found("复议诉讼记录")
        if not can_act(actor, record.unit_code):
            raise forbidden("只有受理单位或政务公开主管部门可以登记复议诉讼")
        check_if_match(if_match, record.version, required=True)
        _check_record(
            record.kind, record.after_review, record.filed_on, body.result, body.decided_on, runtime.clock.today()
        )
        await session.execute(
            update(review_records)
            .where(review_records.c.id == record_id)
            .values(result=body.result, decided_on=body.decided_on, version=record.version + 1)
        )
        await audit(
            runtime,
            session,
            actor,
            "review_record.updated",
            "application",
            application_id,
            before={"result": record.result, "decided_on": str(record.decided_on)},
            after={"result": body.result, "decided_on": str(body.decided_on)},
        )
        if body.result != record.result:
            await _announce_review(runtime, session, actor, record.unit_code, application_id, record.kind, body.result)
        record = (await session.execute(select(review_records).where(review_records.c.id == record_id))).one()
    return _record_out(record)


async def list_review_records(
    runtime: ServiceRuntime, principal: Principal, application_id: str
) -> list[ReviewRecordOut]:
    async with runtime.sessions() as session:
        await load_readable(session, principal, application_id)
        rows = (
            await session.execute(
                select(review_records)
                .where(review_records.c.application_id == application_id)
                .order_by(review_records.c.filed_on)
            )
        ).all()
    return [_record_out(r) for r in rows]


async def _announce_review(
    runtime: ServiceRuntime,
    session: AsyncSession,
    actor: Principal,
    unit_code: str,
    application_id: str,
    kind: str,
    result: str,
) -> None:
    await emit(
        runtime,
        session,
        RequestReviewDecided(request_id=application_id, unit_code=unit_code, kind=kind, result=result),
        subject=application_id,
        actor=actor,
    )


async def list_consultations(
    runtime: ServiceRuntime, principal: Principal, application_id: str
) -> list[ConsultationOut]:
    async with runtime.sessions() as session:
        await load_readable(session, principal, application_id)
        rows = (
            await session.execute(
                select(consultations)
                .where(consultations.c.application_id == application_id)
                .order_by(consultations.c.started_on)
            )
        ).all()
    return [ConsultationOut(**{k: r._mapping[k] for k in ConsultationOut.model_fields}) for r in rows]
