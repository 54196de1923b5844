"""An application as the use cases hold it (:class:`Application`, one row, read once) and as the API
shows it (:func:`to_out`), with what the audit log keeps of it (:func:`journal_state`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row

from services.requests.config import Ctx
from services.requests.domain import deadlines as clock_rules
from services.requests.domain.states import allowed_actions
from services.requests.schemas.applications import (
    ApplicantOut,
    ApplicationOut,
    CreatedApplication,
    DeliveryOut,
    FeeOut,
    HandlerOut,
)
from shared.auth import Principal
from shared.crypto import mask_identity_number
from shared.db import stored_utc
from shared.vocabulary import ApplicantType, Channel, OutcomeCode

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
    keep = {k: v for k, v in values.items() if k not in ("query_code_index", "applicant_id_index")}
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


def _fee_out(fee: dict[str, Any] | None) -> FeeOut | None:
    if not fee:
        return None
    return FeeOut(
        **{
            **fee,
            "notified_on": date.fromisoformat(fee["notified_on"]),
            "due_on": date.fromisoformat(fee["due_on"]),
            "paid_on": date.fromisoformat(fee["paid_on"]) if fee.get("paid_on") else None,
        }
    )


def _fields(ctx: Ctx, principal: Principal | None, row: Application) -> dict[str, Any]:
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
        "allowed_actions": allowed_actions(row.state),
        "version": row.version,
        "created_at": stored_utc(row.created_at),
        "updated_at": stored_utc(row.updated_at),
    }


def to_out(ctx: Ctx, principal: Principal | None, row: Application) -> ApplicationOut:
    """The API view of an application, as ``principal`` may see it."""
    return ApplicationOut(**_fields(ctx, principal, row))


def to_created(ctx: Ctx, principal: Principal | None, row: Application, query_code: str) -> CreatedApplication:
    """The view answered once, on creation: with the query code, which is stored only as a hash."""
    return CreatedApplication(**_fields(ctx, principal, row), query_code=query_code)
