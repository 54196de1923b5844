"""An application as the use cases hold it (:class:`Application`, one row, read once) and as the API
shows it (:func:`to_out`), with what the audit log keeps of it (:func:`journal_state`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import deadlines as clock_rules
from services.requests.domain.rules import rule_set
from services.requests.domain.states import allowed_actions
from services.requests.models import application_clock_facts, consultations
from services.requests.schemas.applications import (
    ActionOut,
    ApplicantOut,
    ApplicationOut,
    CreatedApplication,
    DeliveryOut,
    FeeOut,
    HandlerOut,
    PublicInterestOut,
    ReasonsOut,
    ReportUpOut,
)
from services.requests.service.provisional_due_dates import _fact as clock_fact
from shared.auth import Principal
from shared.crypto import mask_identity_number
from shared.db import stored_utc
from shared.domain import DomainError
from shared.vocabulary import APPLICATION_ACTION_LABELS, ApplicantType, Channel, OutcomeCode

# Contexts of the field cipher: the identity number (encrypted + blind index) and the query code.
ID_CONTEXT = "requests.applicant.id_number"
QUERY_CODE_CONTEXT = "requests.query_code"


@dataclass(frozen=True)
class Application:
    """One row of ``applications``: read once per use case (with the lock, for an action), then
    carried forward with what the use case wrote (:meth:`with_values`) instead of read back."""

    id: str
    tracking_no: str
    query_code_index: str
    unit_code: str
    channel: Channel
    applicant_type: ApplicantType
    applicant_name: str
    description: str
    delivery_format: str
    delivery_method: str
    state: str
    rule_set: str
    submitted_at: datetime
    due_on_provisional: bool
    clock_running: bool
    version: int
    created_at: datetime
    updated_at: datetime
    applicant_id_type: str | None = None
    applicant_id_number: str | None = None  # encrypted (ID_CONTEXT)
    applicant_id_index: str | None = None
    applicant_phone: str | None = None
    applicant_email: str | None = None
    applicant_address: str | None = None
    applicant_organization: str | None = None
    applicant_sub: str | None = None
    purpose: str | None = None
    source_ref: str | None = None
    received_on: date | None = None
    due_on: date | None = None
    handler_id: str | None = None
    handler_name: str | None = None
    outcome: OutcomeCode | None = None
    legal_basis: str | None = None
    reply_text: str | None = None
    replied_on: date | None = None
    on_time: bool | None = None
    concluded_on: date | None = None
    archived_on: date | None = None
    correction_lapse_on: date | None = None
    fee: dict[str, Any] | None = None
    overdue_due_on: date | None = None
    due_soon_stamp: str | None = None
    description_digest: str | None = None
    possible_duplicate_of: str | None = None
    unconfirmed_notified_on: date | None = None
    reasons: dict[str, Any] | None = None
    public_interest: dict[str, Any] | None = None
    review_requested_on: date | None = None
    review_due_on: date | None = None
    review_opined_on: date | None = None
    report_up_due_on: date | None = None
    reported_up_on: date | None = None
    report_up_stamp: str | None = None

    @classmethod
    def of(cls, row: Row[Any]) -> Application:
        return cls(**row._mapping)

    def with_values(self, values: dict[str, Any]) -> Application:
        """The application after an UPDATE (or INSERT) of ``values``."""
        return dataclasses.replace(self, **values)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @property
    def clock_counts(self) -> bool:
        """Open, with a due date, and the clock running: a paused application is never overdue, and
        its days left are not counting down."""
        return self.concluded_on is None and self.due_on is not None and self.clock_running


def journal_state(values: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of an application: its fields, the identity number still encrypted."""
    keep = {
        k: v for k, v in values.items() if k not in ("query_code_index", "applicant_id_index", "description_digest")
    }
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in keep.items()}


def _identity_number(ctx: Ctx, principal: Principal | None, row: Application) -> str | None:
    """In clear only for the handling unit's own staff (DESIGN §10), masked for everyone else."""
    if row.applicant_id_number is None:
        return None
    clear = ctx.resources.field_cipher.decrypt(row.applicant_id_number, context=ID_CONTEXT)
    return clear if principal is not None and principal.is_staff_of(row.unit_code) else mask_identity_number(clear)


def _overdue_since(today: date, row: Application) -> date | None:
    if row.due_on is None:
        return None
    if (row.clock_counts and clock_rules.is_overdue(row.due_on, today)) or row.on_time is False:
        return date.fromordinal(row.due_on.toordinal() + 1)
    return None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _fee_out(fee: dict[str, Any] | None) -> FeeOut | None:
    if not fee:
        return None
    days = ("notified_on", "due_on", "paid_on", "delivered_on")
    return FeeOut(**{**fee, **{k: _day(fee.get(k)) for k in days}})


def _round_two(today: date, row: Application) -> dict[str, Any]:
    """条例 第三十二条、第三十五条、第三十六条(六) and seed 001's obligations (issue 11)."""
    reasons = row.reasons
    days = ("requested_on", "due_on", "answered_on", "lapsed_on")
    review_due = row.review_due_on if row.review_opined_on is None and row.concluded_on is None else None
    report_due = row.report_up_due_on
    return {
        "possible_duplicate_of": row.possible_duplicate_of,
        "reasons": ReasonsOut(**{**reasons, **{k: _day(reasons.get(k)) for k in days}}) if reasons else None,
        "public_interest": PublicInterestOut(**row.public_interest) if row.public_interest else None,
        "review_due_on": review_due,
        "review_overdue": review_due is not None and clock_rules.is_overdue(review_due, today),
        "report_up": (
            ReportUpOut(
                due_on=report_due,
                reported_on=row.reported_up_on,
                overdue=row.reported_up_on is None and clock_rules.is_overdue(report_due, today),
            )
            if report_due is not None
            else None
        ),
    }


def _fields(ctx: Ctx, principal: Principal | None, row: Application, guards: ActionGuards | None) -> dict[str, Any]:
    today = ctx.clock.today()
    counting_to = row.due_on if row.clock_counts else None  # the due date the clock runs towards
    return {
        "id": row.id,
        "tracking_no": row.tracking_no,
        "unit_code": row.unit_code,
        "channel": row.channel,
        "applicant": ApplicantOut(
            type=row.applicant_type,
            name=row.applicant_name,
            id_type=row.applicant_id_type,
            id_number=_identity_number(ctx, principal, row),
            phone=row.applicant_phone,
            email=row.applicant_email,
            address=row.applicant_address,
            organization=row.applicant_organization,
        ),
        "description": row.description,
        "purpose": row.purpose,
        "delivery": DeliveryOut(format=row.delivery_format, method=row.delivery_method),
        "source_ref": row.source_ref,
        "state": row.state,
        "rule_set": row.rule_set,
        "received_on": row.received_on,
        "due_on": row.due_on,
        "due_on_provisional": row.due_on_provisional,
        "clock_running": row.clock_running,
        "overdue": counting_to is not None and clock_rules.is_overdue(counting_to, today),
        "overdue_since": _overdue_since(today, row),
        "working_days_left": (
            clock_rules.working_days_left(ctx.calendar, counting_to, today) if counting_to is not None else None
        ),
        "handler": HandlerOut(id=row.handler_id, name=row.handler_name) if row.handler_id else None,
        "correction_lapse_on": row.correction_lapse_on,
        "fee": _fee_out(row.fee),
        "outcome": row.outcome,
        "legal_basis": row.legal_basis,
        "reply_text": row.reply_text,
        "replied_on": row.replied_on,
        "on_time": row.on_time,
        "concluded_on": row.concluded_on,
        "archived_on": row.archived_on,
        **_round_two(today, row),
        "allowed_actions": offered_actions(ctx, row, guards),
        "provisional_note": provisional_note(row.due_on) if row.due_on_provisional else None,
        "version": row.version,
        "created_at": stored_utc(row.created_at),
        "updated_at": stored_utc(row.updated_at),
    }


def to_out(
    ctx: Ctx, principal: Principal | None, row: Application, guards: ActionGuards | None = None
) -> ApplicationOut:
    """The API view of an application, as ``principal`` may see it; ``guards``
    (:func:`load_action_guards`) narrow ``allowed_actions`` to what would succeed today."""
    return ApplicationOut(**_fields(ctx, principal, row, guards))


def to_created(ctx: Ctx, principal: Principal | None, row: Application, query_code: str) -> CreatedApplication:
    """The view answered once, on creation: with the query code, which is stored only as a hash."""
    return CreatedApplication(**_fields(ctx, principal, row, None), query_code=query_code)


def provisional_note(due_on: date | None) -> str | None:
    """In words, why a due date is provisional: its year's holidays are not published yet."""
    if due_on is None:
        return None
    return (
        f"{due_on.year}年的法定节假日安排尚未载入，期限暂按周末推算；国务院办公厅公布当年安排并载入日历后将自动重新计算"
    )


# -- the actions a button can call as they are (GET /api/v1/requests/{id}: allowed_actions) ---------

APPLICATIONS_PATH = "/api/v1/requests"
# Concluded by the system when a period runs out (sweeps), never called by a clerk.
SYSTEM_ACTIONS = frozenset({"lapse-correction", "lapse-fee", "lapse-consultation", "lapse-reasons"})
# Actions whose URL is not /api/v1/requests/{id}/<action>.
_PATHS = {"start-consultation": "consultations"}


@dataclass(frozen=True)
class ActionGuards:
    """What the state table alone cannot tell: the clock's facts and the open consultations."""

    facts: tuple[Any, ...] = ()
    open_consultations: tuple[tuple[str, str], ...] = ()  # (id, party), oldest first


async def load_action_guards(session: AsyncSession, ids: list[str]) -> dict[str, ActionGuards]:
    """The guards of the applications ``ids`` in two queries (a page of a list included)."""
    if not ids:
        return {}
    facts: dict[str, list[Any]] = {i: [] for i in ids}
    f = application_clock_facts
    for row in await session.execute(select(f).where(f.c.application_id.in_(ids)).order_by(f.c.seq)):
        facts[row.application_id].append(clock_fact(row))
    c = consultations
    opened: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    rows = await session.execute(
        select(c.c.application_id, c.c.id, c.c.party)
        .where(c.c.application_id.in_(ids), c.c.closed_on.is_(None))
        .order_by(c.c.started_on, c.c.id)
    )
    for row in rows:
        opened[row.application_id].append((row.id, row.party))
    return {i: ActionGuards(tuple(facts[i]), tuple(opened[i])) for i in ids}


def _would_pass(check: Callable[[], object]) -> bool:
    try:
        check()
    except DomainError:
        return False
    return True


def _guard_allows(ctx: Ctx, row: Application, action: str, guards: ActionGuards, today: date) -> bool:
    from services.requests.domain import limits  # the same rules the actions apply

    rules = rule_set(row.rule_set)
    facts = list(guards.facts)
    match action:
        case "extend":  # 条例 第三十三条: once, and not once the period has run out
            return _would_pass(lambda: limits.extension_allowed(rules, facts, 1)) and not (
                row.due_on is not None and clock_rules.is_overdue(row.due_on, today)
            )
        case "request-correction":  # 条例 第三十条: one notice, within 7 working days of receipt
            return _would_pass(lambda: limits.correction_notice_allowed(rules, ctx.calendar, facts, today))
        case "fee-notice":
            return _would_pass(lambda: limits.fee_notice_allowed(row.due_on, today))
        case "request-reasons":
            return _would_pass(lambda: limits.reasons_request_allowed(facts, row.due_on, today))
        case "report-up":  # seed 001: after a withheld.* reply, once
            return (row.outcome or "").startswith("withheld.") and row.reported_up_on is None
        case "receive-reasons":  # 条例 第三十五条: reasons asked for and not yet answered
            return bool(row.reasons) and not (row.reasons or {}).get("answered_on")
        case "defer":  # 条例 第三十五条: once the reasons are in, once
            return bool((row.reasons or {}).get("answered_on")) and not any(
                isinstance(f, clock_rules.Deferred) for f in facts
            )
        case "fee-payment":  # a fee notified and not yet paid
            return bool(row.fee) and not (row.fee or {}).get("paid_on")
    return True


def _action(application_id: str, action: str, href_tail: str | None = None, label: str | None = None) -> ActionOut:
    tail = href_tail or _PATHS.get(action, action)
    return ActionOut(
        action=action,
        method="POST",
        href=f"{APPLICATIONS_PATH}/{application_id}/{tail}",
        label=label or APPLICATION_ACTION_LABELS.get(action, action),
    )


def offered_actions(ctx: Ctx, row: Application, guards: ActionGuards | None) -> list[ActionOut]:
    """The actions a clerk may take now, each with the URL to POST to (with ``If-Match``): the state
    table's, less the system's lapses, less those whose limit is used up (the one extension, the one
    correction notice, a fee notice after the due date) when the ``guards`` are known; closing a
    consultation is one action per open consultation."""
    today = ctx.clock.today()
    offered: list[ActionOut] = []
    for action in allowed_actions(row.state):
        if action in SYSTEM_ACTIONS:
            continue
        if action == "close-consultation":
            for consultation_id, party in guards.open_consultations if guards else ():
                label = f"{APPLICATION_ACTION_LABELS[action]}：{party}"
                offered.append(_action(row.id, action, f"consultations/{consultation_id}/close", label))
            continue
        if guards is not None and not _guard_allows(ctx, row, action, guards, today):
            continue
        offered.append(_action(row.id, action))
    return offered
