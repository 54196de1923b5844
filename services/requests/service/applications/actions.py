"""The workflow actions on an application (DESIGN §5), each one :func:`perform` with its body:
receipt, correction, assignment, extension, fees, 保密审查, reply, lapse, withdrawal, archiving.
Consultations are in ``consultations``, review and litigation records in ``reviews``."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.domain import deadlines as clock_rules
from services.requests.domain import limits
from services.requests.domain.deadlines import (
    CorrectionReceived,
    CorrectionRequested,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
)
from services.requests.domain.fees import FEE_BASIS, FeeMethod, fee_amount, fee_standard
from services.requests.domain.outcomes import REPORT_UP_OUTCOMES
from services.requests.domain.rules import rule_set
from services.requests.domain.states import LAPSE_OUTCOMES, state_after_correction, transition
from services.requests.models import applications, confidentiality_reviews, consultations
from services.requests.schemas.applications import ApplicationOut, PublicInterestIn
from services.requests.service.applications.create import registered_event
from services.requests.service.applications.reasons import reasons_status
from services.requests.service.applications.steps import Step, perform
from services.requests.service.applications.view import Application
from services.requests.service.provisional_due_dates import deadline_of
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput
from shared.events import (
    ApplicantContact,
    RequestCorrectionReceived,
    RequestCorrectionRequested,
    RequestExtended,
    RequestReplied,
)
from shared.journal import SYSTEM
from shared.vocabulary import OutcomeCode


async def register(
    session: AsyncSession, ctx: Ctx, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    """条例 第三十一条: the office confirms receipt of a mail/online/fax application; the clock starts."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "register")
        step.values["received_on"] = step.on
        await step.add_fact(Received(step.on))
        step.announce(registered_event, actor=SYSTEM)  # as on creation: the receipt, not the clerk

    return await perform(session, ctx, actor, application_id, "register", if_match, on, body)


async def request_correction(
    session: AsyncSession,
    ctx: Ctx,
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
        # Whatever the internal state before the reply (registered, assigned, consulting …); once.
        limits.correction_notice_allowed(rule_set(step.row.rule_set), ctx.calendar, await step.facts(), step.on)
        await step.add_fact(CorrectionRequested(step.on))
        step.values["correction_lapse_on"] = limits.correction_lapse_on(ctx.calendar, step.on, allowed_working_days)
        step.announce(lambda new: RequestCorrectionRequested(request_id=new.id, unit_code=new.unit_code, on=step.on))

        async def keep_note(new: Application) -> None:
            await ctx.journal.audit(
                session, actor, "application.correction_note", "application", new.id, after={"note": note}
            )

        step.after.append(keep_note)

    return await perform(session, ctx, actor, application_id, "request-correction", if_match, on, body)


async def receive_correction(
    session: AsyncSession, ctx: Ctx, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    """条例 第三十条: the reply period restarts in full from the day the corrected application arrives."""

    async def body(step: Step) -> None:
        transition(step.row.state, "receive-correction")
        open_consultations = await session.scalar(
            select(func.count())
            .select_from(consultations)
            .where(consultations.c.application_id == step.row.id, consultations.c.closed_on.is_(None))
        )
        step.state = state_after_correction(
            handler_assigned=step.row.handler_id is not None,
            consultations_open=open_consultations or 0,
            fee_unpaid=bool(step.row.fee) and not (step.row.fee or {}).get("paid_on"),
        )
        requested = max((f.on for f in await step.facts() if isinstance(f, CorrectionRequested)), default=None)
        if requested is not None and step.on < requested:
            # Bad input (422), not a conflict: the clerk typed a day before the notice went out.
            raise InvalidInput(
                "on_before_notice_invalid", "收到补正的日期不能早于补正通知日期", f"补正通知日期 {requested}"
            )
        await step.add_fact(CorrectionReceived(step.on))
        step.values["correction_lapse_on"] = None
        step.announce(lambda new: RequestCorrectionReceived(request_id=new.id, unit_code=new.unit_code, on=step.on))

    return await perform(session, ctx, actor, application_id, "receive-correction", if_match, on, body)


async def assign(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    handler_id: str,
    handler_name: str,
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.values.update(handler_id=handler_id, handler_name=handler_name)

    return await perform(session, ctx, actor, application_id, "assign", if_match, on, body)


async def extend(
    session: AsyncSession,
    ctx: Ctx,
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
        facts = await step.facts()
        limits.extension_allowed(rule_set(step.row.rule_set), facts, working_days)
        # While paused the stored date is as of the pause's start; the period stands where the
        # clock says today.
        due_on = deadline_of(step.row.rule_set, ctx.calendar, facts, step.today).due_on
        if due_on is not None and clock_rules.is_overdue(due_on, step.on):
            raise DomainError("extension_after_due", "答复期限届满后不能再延长", f"期限为 {due_on}")
        await step.add_fact(Extended(working_days, step.on, reason, approver))
        step.announce(lambda new: RequestExtended(request_id=new.id, unit_code=new.unit_code, due_on=new.due_on))

    return await perform(session, ctx, actor, application_id, "extend", if_match, on, body)


async def _nth_in_month(session: AsyncSession, row: Application) -> int:
    """国办函〔2020〕109号 按件计收: this application's rank among the applicant's applications
    received in the calendar month of its receipt (by identity, or name without one) — not the count
    on the day of the notice: the 10th stays free when the 11th came in before the notice, and a
    notice in the next month still counts the month of receipt."""
    t = applications
    received = row.received_on
    month_start = received.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    same_applicant = (
        t.c.applicant_id_index == row.applicant_id_index
        if row.applicant_id_index
        else t.c.applicant_name == row.applicant_name
    )
    # 国办函〔2020〕109号: counted per applicant at one agency — the 11th in a month is the 11th at this unit.
    same_applicant = and_(same_applicant, t.c.unit_code == row.unit_code)
    not_later = or_(
        t.c.received_on < received,
        and_(
            t.c.received_on == received,
            or_(t.c.created_at < row.created_at, and_(t.c.created_at == row.created_at, t.c.id <= row.id)),
        ),
    )
    count = await session.scalar(
        select(func.count())
        .select_from(t)
        .where(same_applicant, t.c.received_on >= month_start, t.c.received_on < next_month, not_later)
    )
    return count or 0


async def fee_notice(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    method: FeeMethod,
    pages: int | None,
    how_to_pay: str | None = None,
    delivered_on: date | None = None,
) -> ApplicationOut:
    """条例 第四十二条; 国办函〔2020〕109号: the notice goes out within the reply period, stating the
    basis, the standard and how to pay; the clock pauses from the notice until payment; the
    applicant's 20 working days run from the day after they received it."""

    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "fee-notice")
        live = deadline_of(step.row.rule_set, ctx.calendar, await step.facts(), step.today).due_on
        limits.fee_notice_allowed(live, step.on)
        received = delivered_on or step.on  # electronic delivery: the notice day
        if received < step.on or received > step.today:
            raise InvalidInput(
                "delivered_on_invalid", "收到通知日期不能早于通知日期或晚于今天", f"delivered_on={received}"
            )
        nth = await _nth_in_month(session, step.row) if method == "per_application" else None
        amount = fee_amount(method, nth_in_month=nth, pages=pages)
        if amount == 0:
            raise DomainError("fee_not_due", "按规定该申请不需缴纳信息处理费", "在免费范围内")
        step.values["fee"] = {
            "method": method,
            "pages": pages,
            "nth_in_month": nth,
            "amount": amount,
            "notified_on": step.on.isoformat(),
            "delivered_on": received.isoformat(),
            "due_on": limits.fee_payment_due(rule_set(step.row.rule_set), ctx.calendar, received).isoformat(),
            "paid_on": None,
            "basis": FEE_BASIS,
            "standard": fee_standard(method, nth_in_month=nth, pages=pages),
            "how_to_pay": how_to_pay,
        }
        await step.add_fact(PauseStarted(f"fee-{step.row.version}", "fee", step.on))

    return await perform(session, ctx, actor, application_id, "fee-notice", if_match, on, body)


async def fee_payment(
    session: AsyncSession, ctx: Ctx, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.state = transition(step.row.state, "fee-payment")
        fee = dict(step.row.fee or {})
        if step.on < date.fromisoformat(fee["notified_on"]):
            raise InvalidInput("on_before_notice_invalid", "缴费日期不能早于缴费通知日期")
        fee["paid_on"] = step.on.isoformat()
        step.values["fee"] = fee
        facts = await step.facts()
        ended = {f.ref for f in facts if isinstance(f, PauseEnded)}
        open_fee_pause = next(
            f.ref for f in reversed(facts) if isinstance(f, PauseStarted) and f.kind == "fee" and f.ref not in ended
        )
        await step.add_fact(PauseEnded(open_fee_pause, step.on))

    return await perform(session, ctx, actor, application_id, "fee-payment", if_match, on, body)


async def review(
    session: AsyncSession,
    ctx: Ctx,
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
        # Seed 001 保密审查制度 第十条: an opinion within 15 working days of the request for review —
        # the request is this day unless request-review came first; a referral (需报审) is a new one.
        if step.row.review_requested_on is None or opinion == "refer":
            step.values["review_requested_on"] = step.on
            step.values["review_due_on"] = limits.review_opinion_due(rule_set(step.row.rule_set), ctx.calendar, step.on)
        step.values["review_opined_on"] = None if opinion == "refer" else step.on
        await session.execute(
            confidentiality_reviews.insert().values(
                application_id=step.row.id, opinion=opinion, reviewer=reviewer, reason=reason, on=step.on
            )
        )

    return await perform(session, ctx, actor, application_id, "review", if_match, on, body)


async def reply(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    application_id: str,
    if_match: str | None,
    on: date | None,
    outcome: OutcomeCode,
    legal_basis: str,
    text: str,
    public_interest: PublicInterestIn | None = None,
) -> ApplicationOut:
    """条例 第三十六条: the reply, with exactly one outcome and its legal basis. 条例 第三十五条: the
    unreasonable-volume conclusion follows a request for reasons; 条例 第三十二条: disclosing over a
    third party's objection records the public-interest reason and the written notice to it."""

    async def body(step: Step) -> None:
        latest = await session.scalar(
            select(confidentiality_reviews.c.opinion)
            .where(confidentiality_reviews.c.application_id == step.row.id)
            .order_by(confidentiality_reviews.c.seq.desc())
            .limit(1)
        )
        objected = await session.scalar(
            select(func.count())
            .select_from(consultations)
            .where(
                consultations.c.application_id == step.row.id,
                consultations.c.kind == "third_party",
                consultations.c.objects.is_(True),
            )
        )
        if public_interest is not None and public_interest.third_party_notified_on > step.today:
            raise InvalidInput("third_party_notified_on_in_future", "书面告知第三方的日期不能晚于今天")
        step.state = transition(
            step.row.state,
            "reply",
            outcome=outcome,
            latest_opinion=latest,
            reasons=reasons_status(step.row.reasons, step.today),
            third_party_objected=bool(objected),
            public_interest=public_interest is not None,
        )
        if public_interest is not None:
            step.values["public_interest"] = {
                "reason": public_interest.reason,
                "third_party_notified_on": public_interest.third_party_notified_on.isoformat(),
            }
        if outcome in REPORT_UP_OUTCOMES:  # seed 001: reported up within 5 working days of the decision
            step.values["report_up_due_on"] = limits.report_up_due(rule_set(step.row.rule_set), ctx.calendar, step.on)
        _conclude(step, outcome, legal_basis, text)

    return await perform(session, ctx, actor, application_id, "reply", if_match, on, body)


def _conclude(step: Step, outcome: OutcomeCode, legal_basis: str | None, text: str | None) -> None:
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
    step.announce(
        lambda new: RequestReplied(
            request_id=new.id,
            tracking_no=new.tracking_no,
            unit_code=new.unit_code,
            outcome=outcome,
            replied_on=step.on,
            on_time=on_time,
            source_ref=new.source_ref,
            applicant_contact=ApplicantContact(
                phone=new.applicant_phone if new.delivery_method in ("post", "other", "pickup") else None,
                email=new.applicant_email if new.delivery_method in ("email", "online") else None,
            ),
        )
    )


async def lapse(session: AsyncSession, ctx: Ctx, application_id: str, action: str) -> ApplicationOut:
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
        step.on = min(ctx.calendar.add_working_days(period_end, 1).day, step.today)
        _conclude(step, LAPSE_OUTCOMES[action], None, None)

    return await perform(session, ctx, SYSTEM, application_id, action, None, None, body, system=True)


async def withdraw(
    session: AsyncSession,
    ctx: Ctx,
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
        step.values.update(concluded_on=step.on, clock_running=False, reply_text=reason)

    return await perform(session, ctx, actor, application_id, "withdraw", if_match, on, body, applicant_may=True)


async def archive(
    session: AsyncSession, ctx: Ctx, actor: Principal, application_id: str, if_match: str | None, on: date | None
) -> ApplicationOut:
    async def body(step: Step) -> None:
        step.values["archived_on"] = step.on

    return await perform(session, ctx, actor, application_id, "archive", if_match, on, body)
