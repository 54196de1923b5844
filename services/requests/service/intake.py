"""12345 hotline and provincial-platform intake (DESIGN §9): the use cases behind
``services.requests.api.integrations``, in the caller's transaction: the work order, the
application it becomes, the audit entries and the outbox events commit together.

Work orders (12345工单), ``POST /api/v1/integrations/hotline/workorders`` — ``schemas.intake.WorkOrderIn``:

- ``workorder_no`` (the hotline's number, the key), ``category`` (``disclosure_request`` /
  ``complaint`` / ``consultation`` / ``other``), ``unit_code``, ``content``, ``received_at`` (when the
  citizen called; never in the future), ``due_at`` (the hotline's own answer deadline; after
  ``received_at``); for a ``disclosure_request`` also ``applicant`` {type, name, id_type, id_number,
  phone, email, address, organization}, ``description`` (default: ``content``), ``purpose`` and
  ``delivery`` {format, method} — required there (422 without them), optional elsewhere. Unknown
  top-level fields are dropped, never stored (one was a caller's identity number — issue 8), and
  counted (``gongkai_hotline_workorder_unknown_fields_total``, a log line with their names only);
  inside ``applicant``/``delivery`` they are refused (422), as on ``POST /requests``.
- ``disclosure_request`` → an application with channel ``hotline_12345``, ``source_ref`` = the
  work-order number, in state ``submitted``. Not registered at once: 条例 第三十一条 counts the
  receipt of an application that arrives neither in person nor by registered mail from the day the
  office *confirms* it, and a 12345 forward is such a channel (the office must also be able to see
  that an order filed as 信息公开申请 is really a petition or a consultation before the statutory
  clock starts). ``request.registered`` is therefore emitted by ``POST /requests/{id}/register``,
  as for online and mail applications. ``submitted_at`` is the order's ``received_at``.
- ``complaint`` → ``hotline.complaint_received`` (workorder_no, unit_code, content, received_at).
- ``consultation`` / ``other`` → stored only; every category is answered through
  ``POST /api/v1/hotline/workorders/{no}/answer`` before its ``due_at`` (else another job emits
  ``hotline.workorder_unanswered``).
- The same number again: with the same content (compared after parsing — key order, whitespace and
  the UTC offset of the times do not matter) → 200 with the stored result, nothing done twice; with
  different content → 409 ``workorder_conflict``. The comparison uses a keyed hash
  (``FieldCipher.blind_index``) of the canonical document, so the identity number is never kept in
  clear: ``payload`` = ``{"document": <the order, identity number masked>, "fingerprint": …}``.

The ``query_code`` of an application created here is returned to the caller once, in the 201
response: the citizen did not apply with us, so the hotline (or the provincial platform) is the
only party that can pass it on (with ``tracking_no``, for ``GET /requests/track/…``). It is kept
only as a hash, so a repeat (200) carries ``query_code: null``; a sender that lost the first
response retries with the same ``Idempotency-Key`` (signed afresh) and gets the stored (encrypted)
201 replayed verbatim.

Provincial applications, ``POST /api/v1/integrations/provincial/applications`` —
``schemas.intake.ProvincialApplicationIn`` (the ``POST /requests`` body without ``channel``, plus
``provincial_id`` → ``source_ref``): channel ``provincial``, state ``submitted`` (same reasoning).
The same ``provincial_id`` again → 200 with the application when its stored fields match, 409
``provincial_application_conflict`` when they do not.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC
from typing import Any

from prometheus_client import Counter
from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import applications, hotline_workorders, signature_nonces, units
from services.requests.schemas.applications import ApplicationCreate
from services.requests.schemas.intake import (
    IntakeApplication,
    ProvincialAccepted,
    ProvincialApplicationIn,
    WorkOrderAccepted,
    WorkOrderIn,
    WorkOrderOut,
)
from services.requests.service.applications import ID_CONTEXT, create_application
from shared.auth import Principal
from shared.crypto import mask_identity_like, mask_identity_number, mask_identity_values
from shared.db import stored_utc
from shared.errors import ProblemError, conflict, forbidden, not_found
from shared.events import HotlineComplaintReceived
from shared.pagination import Page, SortKey, paginate
from shared.runtime import ServiceRuntime
from shared.signing import SqlReplayGuard

log = logging.getLogger("gongkai.requests.intake")
UNKNOWN_FIELDS = Counter(
    "gongkai_hotline_workorder_unknown_fields_total",
    "Unknown top-level fields dropped from received 12345 work orders (their values are never stored)",
)
# What a work order's stored document may show: the documented fields (WorkOrderIn).
_DOCUMENT_FIELDS = frozenset(WorkOrderIn.model_fields)

HOTLINE = Principal(sub="integration:12345", name="12345热线", roles=frozenset({"integration"}), unit_codes=frozenset())
PROVINCIAL = Principal(
    sub="integration:provincial", name="省级政务服务平台", roles=frozenset({"integration"}), unit_codes=frozenset()
)
FINGERPRINT_CONTEXT = "requests.hotline.workorder"


def signature_guard(runtime: ServiceRuntime[Any]) -> SqlReplayGuard:
    """The integrations' replay guard: each signature is accepted once (``signature_nonces``). It
    records a use in its own transaction, so a request whose work rolls back stays used."""
    return SqlReplayGuard(runtime.sessions, signature_nonces)


# -- intake ---------------------------------------------------------------------------------------


async def _unit_active(session: AsyncSession, unit_code: str) -> bool:
    row = (await session.execute(select(units.c.active).where(units.c.unit_code == unit_code))).one_or_none()
    return row is not None and bool(row.active)


def _redacted(document: dict[str, Any]) -> dict[str, Any]:
    applicant = document.get("applicant")
    if isinstance(applicant, dict) and applicant.get("id_number"):
        document = {**document, "applicant": {**applicant, "id_number": mask_identity_number(applicant["id_number"])}}
    return document


async def _stored_result(session: AsyncSession, row: Any) -> WorkOrderAccepted:
    application = None
    if row.application_id is not None:
        app = (
            await session.execute(
                select(applications.c.id, applications.c.tracking_no, applications.c.state).where(
                    applications.c.id == row.application_id
                )
            )
        ).one()
        application = IntakeApplication(id=app.id, tracking_no=app.tracking_no, state=app.state, query_code=None)
    return WorkOrderAccepted(
        workorder_no=row.workorder_no,
        category=row.category,
        unit_code=row.unit_code,
        repeated=True,
        application=application,
    )


async def _repeat(session: AsyncSession, order: WorkOrderIn, fingerprint: str) -> WorkOrderAccepted | None:
    row = (
        await session.execute(select(hotline_workorders).where(hotline_workorders.c.workorder_no == order.workorder_no))
    ).one_or_none()
    if row is None:
        return None
    if (row.payload or {}).get("fingerprint") != fingerprint:
        raise conflict(
            "workorder_conflict",
            "该工单编号已收到且内容不同",
            f"工单 {order.workorder_no} 已以不同内容受理；更正须另行联系承办单位",
        )
    return await _stored_result(session, row)


def _check_times(ctx: Ctx, order: WorkOrderIn) -> None:
    if order.due_at <= order.received_at:
        raise ProblemError(
            422,
            "due_at_before_received_at",
            "办理时限须晚于受理时间",
            f"received_at={order.received_at.isoformat()}, due_at={order.due_at.isoformat()}",
        )
    if order.received_at > ctx.clock.now():
        raise ProblemError(
            422, "received_at_in_future", "受理时间不能晚于当前时间", f"received_at={order.received_at.isoformat()}"
        )


async def _application_of(session: AsyncSession, ctx: Ctx, order: WorkOrderIn) -> IntakeApplication:
    """A ``disclosure_request`` becomes a submitted ``hotline_12345`` application (see above)."""
    assert order.applicant is not None and order.delivery is not None  # the schema checked
    created = await create_application(
        session,
        ctx,
        HOTLINE,
        ApplicationCreate(
            unit_code=order.unit_code,
            channel="hotline_12345",
            applicant=order.applicant,
            description=order.description or order.content,
            purpose=order.purpose,
            delivery=order.delivery,
            received_at=order.received_at.astimezone(UTC),
        ),
        source_ref=order.workorder_no,
    )
    await session.execute(
        update(hotline_workorders)
        .where(hotline_workorders.c.workorder_no == order.workorder_no)
        .values(application_id=created.id)
    )
    return IntakeApplication(
        id=created.id, tracking_no=created.tracking_no, state=created.state, query_code=created.query_code
    )


async def receive_workorder(session: AsyncSession, ctx: Ctx, order: WorkOrderIn) -> tuple[WorkOrderAccepted, bool]:
    """Records a verified work order; returns (result, created). See the module docstring."""
    if order.dropped_fields:
        UNKNOWN_FIELDS.inc(len(order.dropped_fields))
        names = [name[:40] for name in order.dropped_fields[:20]]
        log.info("12345 work order %s: unknown fields dropped: %s", order.workorder_no, ", ".join(names))
    canonical = order.canonical()
    fingerprint = ctx.resources.field_cipher.blind_index(
        json.dumps(canonical, sort_keys=True, ensure_ascii=False), context=FINGERPRINT_CONTEXT
    )
    existing = await _repeat(session, order, fingerprint)
    if existing is not None:
        return existing, False
    _check_times(ctx, order)
    if not await _unit_active(session, order.unit_code):
        raise ProblemError(422, "unit_unknown", "承办单位不存在或已停用", f"unit_code={order.unit_code}")
    try:
        # The work order first: its primary key stops a concurrent twin before any application exists.
        async with session.begin_nested():
            await session.execute(
                hotline_workorders.insert().values(
                    workorder_no=order.workorder_no,
                    category=order.category,
                    unit_code=order.unit_code,
                    content=order.content,
                    received_at=order.received_at.astimezone(UTC),  # UTC: SQLite keeps no offset
                    due_at=order.due_at.astimezone(UTC),
                    answered_at=None,
                    answer=None,
                    unanswered_emitted=False,
                    application_id=None,
                    payload={"document": _redacted(canonical), "fingerprint": fingerprint},
                )
            )
    except IntegrityError:
        # A twin committed between our look-up and our insert: answer as for any repeat.
        existing = await _repeat(session, order, fingerprint)
        if existing is None:
            raise
        return existing, False
    application = await _application_of(session, ctx, order) if order.category == "disclosure_request" else None
    await ctx.journal.audit(
        session,
        HOTLINE,
        "hotline_workorder.received",
        "hotline_workorder",
        order.workorder_no,
        after={
            "category": order.category,
            "unit_code": order.unit_code,
            "received_at": canonical["received_at"],
            "due_at": canonical["due_at"],
            "application_id": application.id if application else None,
        },
    )
    if order.category == "complaint":
        await ctx.journal.emit(
            session,
            HotlineComplaintReceived(
                workorder_no=order.workorder_no,
                unit_code=order.unit_code,
                content=order.content,
                received_at=order.received_at,
            ),
            subject=order.workorder_no,
            entity_type="hotline_workorder",
            actor=HOTLINE,
        )
    accepted = WorkOrderAccepted(
        workorder_no=order.workorder_no,
        category=order.category,
        unit_code=order.unit_code,
        repeated=False,
        application=application,
    )
    return accepted, True


def _same_application(ctx: Ctx, row: Any, body: ProvincialApplicationIn) -> bool:
    a = body.applicant
    id_number = a.id_number.upper() if a.id_number else None
    id_index = ctx.resources.field_cipher.blind_index(id_number, context=ID_CONTEXT) if id_number else None
    return (
        row.unit_code,
        row.applicant_type,
        row.applicant_name,
        row.applicant_id_type,
        row.applicant_id_index,
        row.applicant_phone,
        row.applicant_email,
        row.applicant_address,
        row.applicant_organization,
        row.description,
        row.purpose,
        row.delivery_format,
        row.delivery_method,
    ) == (
        body.unit_code,
        a.type,
        a.name,
        a.id_type,
        id_index,
        a.phone,
        a.email,
        a.address,
        a.organization,
        body.description,
        body.purpose,
        body.delivery.format,
        body.delivery.method,
    )


async def receive_provincial(
    session: AsyncSession, ctx: Ctx, body: ProvincialApplicationIn
) -> tuple[ProvincialAccepted, bool]:
    """Records a verified provincial application; returns (result, created)."""
    if session.bind.dialect.name == "postgresql":
        # No unique constraint on (channel, source_ref): serialize twins of one provincial_id.
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"provincial:{body.provincial_id}"}
        )
    row = (
        await session.execute(
            select(applications)
            .where(applications.c.channel == "provincial", applications.c.source_ref == body.provincial_id)
            .order_by(applications.c.created_at)
            .limit(1)
        )
    ).one_or_none()
    if row is not None:
        if not _same_application(ctx, row, body):
            raise conflict(
                "provincial_application_conflict",
                "该省级平台申请编号已收到且内容不同",
                f"provincial_id={body.provincial_id} 已受理为 {row.tracking_no}",
            )
        app = IntakeApplication(id=row.id, tracking_no=row.tracking_no, state=row.state, query_code=None)
        return ProvincialAccepted(provincial_id=body.provincial_id, repeated=True, application=app), False
    created = await create_application(
        session,
        ctx,
        PROVINCIAL,
        ApplicationCreate(
            unit_code=body.unit_code,
            channel="provincial",
            applicant=body.applicant,
            description=body.description,
            purpose=body.purpose,
            delivery=body.delivery,
            received_at=body.received_at.astimezone(UTC) if body.received_at else None,
        ),
        source_ref=body.provincial_id,
    )
    app = IntakeApplication(
        id=created.id, tracking_no=created.tracking_no, state=created.state, query_code=created.query_code
    )
    return ProvincialAccepted(provincial_id=body.provincial_id, repeated=False, application=app), True


# -- the units' side ------------------------------------------------------------------------------


def _select_workorders() -> Any:
    w = hotline_workorders
    return select(w, applications.c.tracking_no).select_from(
        w.outerjoin(applications, applications.c.id == w.c.application_id)
    )


def _document(row: Any) -> dict[str, Any]:
    """The stored order as shown: documented fields only (rows stored before issue 8 kept unknown
    ones verbatim), identity-like values masked."""
    document = (row.payload or {}).get("document", {})
    return mask_identity_values({k: v for k, v in document.items() if k in _DOCUMENT_FIELDS})


def _to_out(ctx: Ctx, row: Any, reader: Principal) -> WorkOrderOut:
    """A work order as ``reader`` sees it: the handling unit's staff read the citizen's words as
    written, everyone else (the office, assessors …) with identity numbers masked."""
    answered_at = stored_utc(row.answered_at) if row.answered_at is not None else None
    due_at = stored_utc(row.due_at)
    clear = reader.is_staff_of(row.unit_code)
    return WorkOrderOut(
        workorder_no=row.workorder_no,
        category=row.category,
        unit_code=row.unit_code,
        content=row.content if clear else mask_identity_like(row.content),
        received_at=stored_utc(row.received_at),
        due_at=due_at,
        answered_at=answered_at,
        answer=row.answer if clear or row.answer is None else mask_identity_like(row.answer),
        answered_on_time=None if answered_at is None else answered_at <= due_at,
        overdue=answered_at is None and ctx.clock.now() > due_at,
        unanswered_emitted=row.unanswered_emitted,
        application_id=row.application_id,
        tracking_no=row.tracking_no,
        payload=_document(row),
    )


def _no_such_workorder(workorder_no: str) -> ProblemError:
    return not_found("工单", f"没有编号为 {workorder_no} 的12345工单")


async def get_workorder(session: AsyncSession, ctx: Ctx, principal: Principal, workorder_no: str) -> WorkOrderOut:
    row = (
        await session.execute(_select_workorders().where(hotline_workorders.c.workorder_no == workorder_no))
    ).one_or_none()
    if row is None or not principal.can_read(row.unit_code):
        # Another unit's order: the same 404 as for none, so nobody learns that it exists.
        raise _no_such_workorder(workorder_no)
    return _to_out(ctx, row, principal)


async def answer_workorder(
    session: AsyncSession, ctx: Ctx, principal: Principal, workorder_no: str, answer: str
) -> WorkOrderOut:
    """The unit's answer (办理回复); once only — a second one is a 409 ``workorder_already_answered``.

    Allowed after ``due_at`` too (late, ``answered_on_time: false``): the unanswered event has
    then been emitted already and stays."""
    w = hotline_workorders
    row = (await session.execute(_select_workorders().where(w.c.workorder_no == workorder_no))).one_or_none()
    if row is None or not principal.can_read(row.unit_code):
        raise _no_such_workorder(workorder_no)
    if not principal.can_act(row.unit_code):
        raise forbidden(f"只有承办单位 {row.unit_code} 的工作人员或政务公开办公室可以回复该工单")
    if row.answered_at is not None:
        raise conflict(
            "workorder_already_answered",
            "该工单已回复",
            f"已于 {stored_utc(row.answered_at).isoformat()} 回复；工单只能回复一次",
        )
    now = ctx.clock.now()
    # Conditional: of two concurrent answers exactly one updates the row.
    result = await session.execute(
        update(w)
        .where(w.c.workorder_no == workorder_no, w.c.answered_at.is_(None))
        .values(answered_at=now, answer=answer)
    )
    if result.rowcount != 1:
        raise conflict("workorder_already_answered", "该工单已回复", "工单只能回复一次")
    await ctx.journal.audit(
        session,
        principal,
        "hotline_workorder.answered",
        "hotline_workorder",
        workorder_no,
        before={"answered_at": None},
        after={"answered_at": now.isoformat(), "answer": answer, "on_time": now <= stored_utc(row.due_at)},
    )
    # Answered from the row read above and what was written, without reading it back.
    answered = {
        "answered_at": now,
        "answer": answer,
        "answered_on_time": now <= stored_utc(row.due_at),
        "overdue": False,
    }
    return _to_out(ctx, row, principal).model_copy(update=answered)


async def list_workorders(
    session: AsyncSession,
    ctx: Ctx,
    principal: Principal,
    *,
    unit_code: str | None,
    category: str | None,
    answered: bool | None,
    overdue: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[WorkOrderOut]:
    """Newest first (received_at, workorder_no), scoped: the office and other unit-wide roles see
    every unit's orders, unit staff their units' orders."""
    w = hotline_workorders
    conditions: list[Any] = []
    if not principal.sees_all_units:
        own = sorted(u for u in principal.unit_codes if principal.is_staff_of(u))
        if not own:
            raise forbidden("当前角色不能查看12345工单")
        conditions.append(w.c.unit_code.in_(own))
    if unit_code:
        conditions.append(w.c.unit_code == unit_code)
    if category:
        conditions.append(w.c.category == category)
    if answered is True:
        conditions.append(w.c.answered_at.is_not(None))
    elif answered is False:
        conditions.append(w.c.answered_at.is_(None))
    now = ctx.clock.now()
    if overdue is True:
        conditions.append(and_(w.c.answered_at.is_(None), w.c.due_at < now))
    elif overdue is False:
        conditions.append(or_(w.c.answered_at.is_not(None), w.c.due_at >= now))
    keys = [SortKey(w.c.received_at, descending=True), SortKey(w.c.workorder_no, descending=True)]
    page = await paginate(session, _select_workorders().where(*conditions), keys, limit=limit, cursor=cursor)
    return page.map(lambda row: _to_out(ctx, row, principal))
