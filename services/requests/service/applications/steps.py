"""How every action on an application runs (:func:`perform`): the row is read once, with its lock;
the action's body computes the change; one UPDATE writes it (the recomputed due date included);
the events and the audit entry are written from the row as updated — nothing is read back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain.deadlines import ClockFact
from services.requests.domain.states import transition
from services.requests.models import applications
from services.requests.schemas.applications import ApplicationOut
from services.requests.service.applications.access import is_own, load_application, may_read, no_such_application
from services.requests.service.applications.view import Application, journal_state, load_action_guards, to_out
from services.requests.service.provisional_due_dates import add_fact, deadline_of, load_facts
from shared.auth import Principal
from shared.clock import legal_date
from shared.db import stored_utc
from shared.domain import InvalidInput
from shared.errors import forbidden
from shared.etags import check_if_match
from shared.events import EventData


@dataclass
class Step:
    """What an action's body sees and changes, inside the caller's transaction."""

    session: AsyncSession
    ctx: Ctx
    actor: Principal
    row: Application  # as read, with the lock
    on: date  # the day the step happened
    today: date
    values: dict[str, Any] = field(default_factory=dict)  # columns to write
    state: str | None = None  # the new state, if the body decided it (with a guard)
    clock_changed: bool = False
    # Run once the row is written, with the application as updated (events, extra audit entries).
    after: list[Callable[[Application], Awaitable[None]]] = field(default_factory=list)
    _facts: list[ClockFact] | None = None

    async def facts(self) -> list[ClockFact]:
        """The application's clock facts, loaded once."""
        if self._facts is None:
            self._facts = await load_facts(self.session, self.row.id)
        return self._facts

    async def add_fact(self, fact: ClockFact) -> None:
        """Appends a clock fact; the due date is recomputed from all of them before the UPDATE."""
        facts = await self.facts()
        await add_fact(self.session, self.row.id, fact)
        facts.append(fact)
        self.clock_changed = True

    def announce(self, event: Callable[[Application], EventData], *, actor: Principal | None = None) -> None:
        """Emits ``event(updated application)`` once the row is written, by ``actor`` (the step's)."""

        async def emit(new: Application) -> None:
            await self.ctx.journal.emit(
                self.session, event(new), subject=new.id, entity_type="application", actor=actor or self.actor
            )

        self.after.append(emit)


Body = Callable[[Step], Awaitable[None]]


async def perform(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    action: str,
    if_match: str | None,
    on: date | None,
    body: Body,
    *,
    system: bool = False,
    applicant_may: bool = False,
) -> ApplicationOut:
    """Runs ``action`` on the application: access, ``If-Match``, the day, the body, one UPDATE, the
    follow-ups and the audit entry (before → after)."""
    row = await load_application(session, application_id, lock=True)
    if not system:
        may_act = actor.can_act(row.unit_code)
        if not may_act and not may_read(actor, row):
            raise no_such_application(application_id)
        if not may_act and not (applicant_may and is_own(actor, row)):
            raise forbidden("只有受理单位或政务公开主管部门可以办理该申请")
        check_if_match(if_match, row.version, required=True)
    today = ctx.clock.today()
    day = on or today
    if day > today:
        raise InvalidInput("on_in_future", "办理日期不能晚于今天", f"on={day}，今天为 {today}")
    earliest = row.received_on or legal_date(stored_utc(row.submitted_at))
    if day < earliest:
        raise InvalidInput("on_before_receipt", "办理日期不能早于收到申请的日期", f"on={day}，收到日期 {earliest}")
    step = Step(session, ctx, actor, row, day, today)
    await body(step)
    values = {
        **step.values,
        "state": step.state or transition(row.state, action),
        "version": row.version + 1,
        "updated_at": ctx.clock.now(),
    }
    if step.clock_changed:
        deadline = deadline_of(row.rule_set, ctx.calendar, await step.facts(), today)
        values.update(due_on=deadline.due_on, due_on_provisional=deadline.provisional, clock_running=deadline.running)
    await session.execute(update(applications).where(applications.c.id == application_id).values(**values))
    new = row.with_values(values)
    for follow_up in step.after:
        await follow_up(new)
    await ctx.journal.audit(
        session,
        actor,
        f"application.{action}",
        "application",
        application_id,
        before=journal_state(row.as_dict()),
        after=journal_state(new.as_dict()),
    )
    # The answer offers what a button may call next, with the same guards as a read (the one
    # extension used up, the one correction notice given …).
    guards = (await load_action_guards(session, [application_id]))[application_id]
    return to_out(ctx, actor, new, guards)
