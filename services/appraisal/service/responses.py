"""Use cases of responses (答卷): the public's and the panels' answers, one per respondent per unit.

社会评议办法 第七条(一)(二): the public answers the questionnaire anonymously (on the page or through
the API); 人大代表、政协委员、媒体、专家 and 社会监督员 answer as registered panel members. What is kept
of a respondent is only HMAC(secret, RespondentKey.message()) under a unique constraint, so a
second answer about the same unit is refused (409) without the service knowing who answered.

Closing (``service/results.py``) must count every response it accepted: on PostgreSQL a response
holds a shared advisory lock on its campaign for its transaction and closing takes it exclusively,
so a response that saw the campaign open is committed before closing counts (SQLite has one writer).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain import campaigns as rules
from services.appraisal.domain.responses import RespondentKey, validate_response
from services.appraisal.models import panel_members, response_ratings, response_remarks, responses
from services.appraisal.schemas.responses import ResponseOut
from services.appraisal.service.campaigns import definition_of, load_campaign
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import DomainError, InvalidInput
from shared.errors import forbidden, unauthorized

RATING_CODES = {"satisfied": 0, "basically_satisfied": 1, "unsatisfied": 2}
RATING_OF_CODE = {code: rating for rating, code in RATING_CODES.items()}
PUBLIC = Principal(sub="public", name="公众", roles=frozenset(), unit_codes=frozenset())


def campaign_lock_key(campaign_id: str) -> int:
    """The campaign's advisory-lock key (a signed 64-bit integer)."""
    return int.from_bytes(
        hashlib.sha256(b"appraisal.campaign:" + campaign_id.encode()).digest()[:8], "big", signed=True
    )


async def hold_campaign(session: AsyncSession, campaign_id: str, *, exclusive: bool) -> None:
    """PostgreSQL: the campaign's advisory lock for this transaction (shared: a response; exclusive:
    closing). SQLite serialises writers already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await session.execute(text(f"SELECT {function}(:key)"), {"key": campaign_lock_key(campaign_id)})


def _insert_new(session: AsyncSession) -> Any:
    """``INSERT … ON CONFLICT (campaign_id, respondent_hash) DO NOTHING``: only a second answer of the
    same respondent is absorbed; any other conflict is an error."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(responses).on_conflict_do_nothing(index_elements=["campaign_id", "respondent_hash"])


async def _panel_method(session: AsyncSession, campaign_id: str, actor: Principal) -> str | None:
    return (
        await session.execute(
            select(panel_members.c.method).where(
                panel_members.c.campaign_id == campaign_id, panel_members.c.member_sub == actor.sub
            )
        )
    ).scalar_one_or_none()


async def submit_response(
    session: AsyncSession,
    ctx: Ctx,
    campaign_id: str,
    *,
    unit_code: str,
    method: str,
    answers: Mapping[str, str | Sequence[str]],
    respondent_token: str | None,
    actor: Principal | None,
) -> ResponseOut:
    """Store one response, or: 404 unknown campaign, 409 outside the window (``campaign_not_open``,
    ``campaign_not_started``) or a second answer (``response_duplicate``), 422 a faulty answer sheet
    (``response_invalid`` with ``errors[]`` per question), 401/403 a panel method without a
    registered member's token."""
    await hold_campaign(session, campaign_id, exclusive=False)
    row = await load_campaign(session, campaign_id, public=True)
    now = ctx.clock.now()
    # 社会评议办法 第六条(三): answers only within the campaign's window.
    rules.check_accepting_responses(row.state, stored_utc(row.opens_at), stored_utc(row.closes_at), now)
    definition = definition_of(row)
    response = validate_response(definition, unit_code, method, answers)
    if response.method == "public":
        if not respondent_token:
            raise InvalidInput(
                "respondent_token_required", "缺少答卷人标识", "请允许 Cookie，或在请求中带上 respondent_token"
            )
        respondent = respondent_token
    else:
        if actor is None:
            raise unauthorized("代表评议和社会监督员评议须登录")
        if await _panel_method(session, campaign_id, actor) != response.method:
            raise forbidden("您不是本次评议登记的该类评议员")
        respondent = actor.sub
    key = RespondentKey(campaign_id, unit_code, response.method, respondent)
    inserted = await session.execute(
        _insert_new(session)
        .values(
            campaign_id=campaign_id,
            unit_code=unit_code,
            method=response.method,
            respondent_hash=ctx.resources.keyed.hash(key.message()),
            choices={q: list(c) for q, c in response.choices.items()},
            texts=dict(response.texts),
            submitted_at=now,
        )
        .returning(responses.c.id)
    )
    response_id = inserted.scalar_one_or_none()
    if response_id is None:
        raise DomainError("response_duplicate", "您已对该单位提交过评议，每人对每个单位只能评议一次", unit_code)
    common = {"response_id": response_id, "campaign_id": campaign_id, "unit_code": unit_code, "method": response.method}
    await session.execute(
        response_ratings.insert(),
        [{**common, "question": q, "rating": RATING_CODES[r]} for q, r in response.ratings.items()],
    )
    problem_questions = {q.code for q in definition.questionnaire.questions if q.collects_problems}
    remarks = [{**common, "question": q, "text": t} for q, t in response.texts.items() if q in problem_questions]
    if remarks:
        await session.execute(response_remarks.insert(), remarks)
    # The audit says that a response came, about which unit, by which method; never who or what.
    await ctx.journal.audit(
        session,
        actor or PUBLIC,
        "response.submitted",
        "campaign",
        campaign_id,
        after={"response_id": response_id, "unit_code": unit_code, "method": response.method},
    )
    return ResponseOut(campaign_id=campaign_id, unit_code=unit_code, method=response.method, submitted_at=now)


async def response_counts(session: AsyncSession, campaign_id: str) -> dict[str, int]:
    """Responses per unit so far (the office's progress view)."""
    rows = await session.execute(
        select(responses.c.unit_code, func.count())
        .where(responses.c.campaign_id == campaign_id)
        .group_by(responses.c.unit_code)
    )
    return {unit: count for unit, count in rows.all()}
