"""Use cases of responses (答卷): the public's and the panels' answers, one per respondent per unit.

社会评议办法 第七条(一)(二): the public answers the questionnaire anonymously (on the page or through
the API); 人大代表、政协委员、媒体、专家 and 社会监督员 answer as registered panel members. What is kept
of a respondent is only HMAC(secret, RespondentKey.message()) under a unique constraint, so a
second answer about the same unit is refused (409) without the service knowing who answered.

The public's answer on PostgreSQL — the hot path, thousands a minute while a campaign is
advertised — is one autocommitted statement (:data:`INTAKE_SQL`) on the intake pool: the
rate-limit hit, the campaign's live state under ``FOR KEY SHARE``, the response (``ON CONFLICT
DO NOTHING``), its rating and remark rows and its audit entry; what it is checked against comes
from the per-process cache of definitions (``config.Definitions``). Panel members, a request with
an ``Idempotency-Key`` (whose key row shares the request's transaction) and SQLite take the
ordinary path: the hit counted on its own, then the request's transaction.

Closing (``service/results.py``) must count every response it accepted: a response holds the
campaign's row ``FOR KEY SHARE`` while it is written and closing takes it ``FOR UPDATE``, so the
responses in flight commit before closing counts, and a later one, waiting for the row, then
finds it closed (READ COMMITTED re-reads a locked row's latest version). SQLite has one writer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain import campaigns as rules
from services.appraisal.domain.campaigns import CampaignDefinition
from services.appraisal.domain.responses import RespondentKey, Response, validate_response
from services.appraisal.models import panel_members, response_ratings, response_remarks, responses
from services.appraisal.schemas.responses import ResponseOut
from services.appraisal.service import rate_limits
from services.appraisal.service.campaigns import definition_of, load_campaign
from shared.auth import Principal
from shared.context import current_request_id
from shared.db import stored_utc
from shared.domain import DomainError, InvalidInput
from shared.errors import ProblemError, forbidden, not_found, unauthorized

RATING_CODES = {"satisfied": 0, "basically_satisfied": 1, "unsatisfied": 2}
RATING_OF_CODE = {code: rating for rating, code in RATING_CODES.items()}
PUBLIC = Principal(sub="public", name="公众", roles=frozenset(), unit_codes=frozenset())
SUBMITTED = "response.submitted"

# $1–$3 the hit (rate_limits.HIT_CTE); $4 campaign, $5 unit, $6 method, $7 respondent hash, $8
# choices, $9 texts, $10 now; $11/$12 rating questions/codes, $13/$14 remark questions/texts; $15
# actor sub, $16 actor name, $17 request id. The window condition is campaigns.check_accepting_
# responses on the row as locked: it keeps the insert out; the rule itself names the refusal.
INTAKE_SQL = f"""WITH {rate_limits.HIT_CTE},
campaign AS (
    SELECT state, opens_at, closes_at FROM campaigns WHERE id = $4 FOR KEY SHARE
),
response AS (
    INSERT INTO responses (campaign_id, unit_code, method, respondent_hash, choices, texts, submitted_at)
    SELECT $4, $5, $6, $7, $8::json, $9::json, $10 FROM campaign
    WHERE ($3 = 0 OR (SELECT hits FROM hit) <= $3)
        AND campaign.state = 'open' AND campaign.opens_at <= $10 AND $10 < campaign.closes_at
    ON CONFLICT (campaign_id, respondent_hash) DO NOTHING
    RETURNING id
),
ratings AS (
    INSERT INTO response_ratings (response_id, question, campaign_id, unit_code, method, rating)
    SELECT response.id, answer.question, $4, $5, $6, answer.rating
    FROM response, unnest($11::text[], $12::smallint[]) AS answer (question, rating)
),
remarks AS (
    INSERT INTO response_remarks (response_id, question, campaign_id, unit_code, method, text)
    SELECT response.id, answer.question, $4, $5, $6, answer.text
    FROM response, unnest($13::text[], $14::text[]) AS answer (question, text)
),
audit AS (
    INSERT INTO audit_log (at, actor_sub, actor_name, action, entity_type, entity_id, after, request_id)
    SELECT $10, $15, $16, '{SUBMITTED}', 'campaign', $4,
        json_build_object('response_id', response.id, 'unit_code', $5::text, 'method', $6::text), $17
    FROM response
)
SELECT (SELECT hits FROM hit) AS hits, (SELECT id FROM response) AS response_id,
    campaign.state, campaign.opens_at, campaign.closes_at
FROM (VALUES (1)) AS one LEFT JOIN campaign ON true"""


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


def _duplicate(unit_code: str) -> DomainError:
    return DomainError("response_duplicate", "您已对该单位提交过评议，每人对每个单位只能评议一次", unit_code)


def _public_respondent(respondent_token: str | None) -> str:
    if not respondent_token:
        raise InvalidInput(
            "respondent_token_required", "缺少答卷人标识", "请允许 Cookie，或在请求中带上 respondent_token"
        )
    return respondent_token


def is_direct(ctx: Ctx, method: str, *, keyed: bool) -> bool:
    """The public's answer on PostgreSQL takes :func:`submit_public_response`, unless the request
    carries an ``Idempotency-Key`` (its key row lives in the request's transaction)."""
    return method == "public" and not keyed and rate_limits.on_postgresql(ctx)


async def submit_public_response(
    ctx: Ctx,
    campaign_id: str,
    *,
    unit_code: str,
    answers: Mapping[str, str | Sequence[str]],
    respondent_token: str | None,
    client_address: str,
) -> ResponseOut:
    """:func:`submit_response` for the public on PostgreSQL: one autocommitted statement of its own
    (:data:`INTAKE_SQL`, the rate-limit hit included), not the caller's transaction; the definition
    from the process's cache."""
    hit = rate_limits.hit_of(ctx, client_address)
    try:
        definition = await _definition(ctx, campaign_id)
        response = validate_response(definition, unit_code, "public", answers)
        key = RespondentKey(campaign_id, unit_code, response.method, _public_respondent(respondent_token))
        respondent_hash = ctx.resources.keyed.hash(key.message())
    except (DomainError, ProblemError):
        # Still counted; and refused for what comes first, as on the ordinary path: over the limit
        # (429), no such campaign (404), outside the window (409), then the answer's own fault.
        await rate_limits.count_hit(ctx, hit)
        async with ctx.transaction() as session:
            live = await load_campaign(session, campaign_id, public=True)
        rules.check_accepting_responses(live.state, stored_utc(live.opens_at), stored_utc(live.closes_at), hit.now)
        raise
    ratings, remarks = _answer_rows(definition, response)
    row = await ctx.resources.intake_pool.fetchrow(
        ctx,
        INTAKE_SQL,
        *hit.parameters,
        campaign_id, unit_code, response.method, respondent_hash,
        json.dumps({q: list(c) for q, c in response.choices.items()}, ensure_ascii=False),
        json.dumps(dict(response.texts), ensure_ascii=False),
        hit.now,
        list(ratings), list(ratings.values()), list(remarks), list(remarks.values()),
        PUBLIC.sub, PUBLIC.name, current_request_id(),
    )  # fmt: skip
    hit.check(row["hits"])
    if row["state"] is None:
        raise not_found("评议活动", f"评议活动 {campaign_id} 不存在")
    if row["response_id"] is None:
        rules.check_accepting_responses(row["state"], row["opens_at"], row["closes_at"], hit.now)
        raise _duplicate(unit_code)
    return ResponseOut(campaign_id=campaign_id, unit_code=unit_code, method=response.method, submitted_at=hit.now)


async def _definition(ctx: Ctx, campaign_id: str) -> CampaignDefinition:
    """The campaign's definition from the process's cache, read once it left ``draft`` (404 for an
    unknown campaign or a draft, which are never cached)."""
    definition = ctx.resources.definitions.get(campaign_id)
    if definition is None:
        async with ctx.transaction() as session:
            definition = definition_of(await load_campaign(session, campaign_id, public=True))
        ctx.resources.definitions.put(campaign_id, definition)
    return definition


async def count_call(ctx: Ctx, client_address: str) -> None:
    """Counts a call against the client's rate limit, committed on its own whatever becomes of
    the call (a malformed body, the ordinary path's answer): 429 over the limit."""
    await rate_limits.count_hit(ctx, rate_limits.hit_of(ctx, client_address))


def _answer_rows(definition: CampaignDefinition, response: Response) -> tuple[dict[str, int], dict[str, str]]:
    """Rating codes by question, and the texts of the problem-collecting questions (第九条)."""
    ratings = {q: RATING_CODES[r] for q, r in response.ratings.items()}
    problem_questions = {q.code for q in definition.questionnaire.questions if q.collects_problems}
    return ratings, {q: t for q, t in response.texts.items() if q in problem_questions}


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
    """Store one response in the caller's transaction, the campaign's row held ``FOR KEY SHARE``
    (the caller counted the call with :func:`count_call` before opening it: on SQLite the count's
    own transaction could not begin while the caller's holds the write lock); or: 404 unknown campaign, 409 outside the window (``campaign_not_open``,
    ``campaign_not_started``) or a second answer (``response_duplicate``), 422 a faulty answer sheet
    (``response_invalid`` with ``errors[]`` per question), 401/403 a panel method without a
    registered member's token."""
    row = await load_campaign(session, campaign_id, public=True, key_share=True)
    now = ctx.clock.now()
    # 社会评议办法 第六条(三): answers only within the campaign's window.
    rules.check_accepting_responses(row.state, stored_utc(row.opens_at), stored_utc(row.closes_at), now)
    definition = definition_of(row)
    response = validate_response(definition, unit_code, method, answers)
    if response.method == "public":
        respondent = _public_respondent(respondent_token)
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
        raise _duplicate(unit_code)
    common = {"response_id": response_id, "campaign_id": campaign_id, "unit_code": unit_code, "method": response.method}
    ratings, remarks = _answer_rows(definition, response)
    await session.execute(
        response_ratings.insert(), [{**common, "question": q, "rating": r} for q, r in ratings.items()]
    )
    if remarks:
        await session.execute(
            response_remarks.insert(), [{**common, "question": q, "text": t} for q, t in remarks.items()]
        )
    # The audit says that a response came, about which unit, by which method; never who or what.
    await ctx.journal.audit(
        session,
        actor or PUBLIC,
        SUBMITTED,
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
