"""Use cases of campaigns (评议方案): create, read, list, edit, open (社会评议办法 第六条(一)(二)).

Closing and publishing are in ``service/results.py``; every use case takes the caller's session
and never commits (DESIGN §1).
"""

from __future__ import annotations

import uuid
from datetime import UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain import campaigns as rules
from services.appraisal.domain.campaigns import CampaignDefinition, Conversion, MethodWeight, RatingBands
from services.appraisal.domain.questionnaire import DEFAULT_QUESTIONNAIRE, Choice, Question, Questionnaire
from services.appraisal.models import campaigns, reference
from services.appraisal.schemas.campaigns import (
    BandsIO,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    ConversionIO,
    MethodWeightIO,
    QuestionIO,
)
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import InvalidInput
from shared.errors import not_found
from shared.etags import check_if_match
from shared.pagination import Page, SortKey, paginate
from shared.vocabulary import CAMPAIGN_STATE_LABELS

# -- stored JSON ↔ domain ---------------------------------------------------------------------------


def _question_json(q: Question) -> dict[str, Any]:
    return {
        "code": q.code,
        "kind": q.kind,
        "text": q.text,
        "required": q.required,
        "weight": str(q.weight),
        "choices": [{"code": c.code, "label": c.label} for c in q.choices],
        "max_selected": q.max_selected,
        "max_length": q.max_length,
        "collects_problems": q.collects_problems,
    }


def _question(j: dict[str, Any]) -> Question:
    return Question(
        code=j["code"],
        kind=j["kind"],
        text=j["text"],
        required=j["required"],
        weight=Decimal(j["weight"]),
        choices=tuple(Choice(c["code"], c["label"]) for c in j["choices"]),
        max_selected=j["max_selected"],
        max_length=j["max_length"],
        collects_problems=j["collects_problems"],
    )


def definition_of(row: Row[Any]) -> CampaignDefinition:
    """The domain's campaign from its stored row."""
    return CampaignDefinition(
        year=row.year,
        name=row.name,
        target_units=tuple(row.target_units),
        methods=tuple(MethodWeight(m["method"], Decimal(m["weight"])) for m in row.methods),
        opens_at=stored_utc(row.opens_at),
        closes_at=stored_utc(row.closes_at),
        questionnaire=Questionnaire(tuple(_question(q) for q in row.questionnaire)),
        conversion=Conversion(
            *(Decimal(row.conversion[k]) for k in ("satisfied", "basically_satisfied", "unsatisfied"))
        ),
        bands=RatingBands(Decimal(row.bands["satisfied_from"]), Decimal(row.bands["basically_satisfied_from"])),
        min_responses=row.min_responses,
    )


def _stored(d: CampaignDefinition) -> dict[str, Any]:
    """The definition's columns as stored (decimals as strings: JSON keeps them exact)."""
    return {
        "year": d.year,
        "name": d.name,
        "target_units": list(d.target_units),
        "methods": [{"method": m.method, "weight": str(m.weight)} for m in d.methods],
        "questionnaire": [_question_json(q) for q in d.questionnaire.questions],
        "conversion": {
            "satisfied": str(d.conversion.satisfied),
            "basically_satisfied": str(d.conversion.basically_satisfied),
            "unsatisfied": str(d.conversion.unsatisfied),
        },
        "bands": {
            "satisfied_from": str(d.bands.satisfied_from),
            "basically_satisfied_from": str(d.bands.basically_satisfied_from),
        },
        "min_responses": d.min_responses,
        # UTC: SQLite keeps no offset, and everything is read back as UTC (shared.db.stored_utc).
        "opens_at": d.opens_at.astimezone(UTC),
        "closes_at": d.closes_at.astimezone(UTC),
    }


def _questionnaire(questions: list[QuestionIO] | None) -> Questionnaire:
    if questions is None:
        return DEFAULT_QUESTIONNAIRE
    return Questionnaire(
        tuple(
            Question(
                code=q.code,
                kind=q.kind,
                text=q.text,
                required=q.required,
                weight=q.weight,
                choices=tuple(Choice(c.code, c.label) for c in q.choices),
                max_selected=q.max_selected,
                max_length=q.max_length,
                collects_problems=q.collects_problems,
            )
            for q in questions
        )
    )


def _methods(methods: list[MethodWeightIO]) -> tuple[MethodWeight, ...]:
    return tuple(MethodWeight(m.method, m.weight) for m in methods)


def _conversion(c: ConversionIO) -> Conversion:
    return Conversion(c.satisfied, c.basically_satisfied, c.unsatisfied)


def _bands(b: BandsIO) -> RatingBands:
    return RatingBands(b.satisfied_from, b.basically_satisfied_from)


def definition_from(body: CampaignIn) -> CampaignDefinition:
    return CampaignDefinition(
        year=body.year,
        name=body.name,
        target_units=tuple(body.target_units),
        methods=_methods(body.methods),
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        questionnaire=_questionnaire(body.questions),
        conversion=_conversion(body.conversion),
        bands=_bands(body.bands),
        min_responses=body.min_responses,
    )


# Patch field → the definition's attribute it replaces, and how.
_PATCHERS: dict[str, tuple[str, Any]] = {
    "year": ("year", lambda v: v),
    "name": ("name", lambda v: v),
    "target_units": ("target_units", tuple),
    "methods": ("methods", _methods),
    "questions": ("questionnaire", _questionnaire),
    "conversion": ("conversion", _conversion),
    "bands": ("bands", _bands),
    "min_responses": ("min_responses", lambda v: v),
    "opens_at": ("opens_at", lambda v: v),
    "closes_at": ("closes_at", lambda v: v),
}


def campaign_out(row: Row[Any]) -> CampaignOut:
    d = definition_of(row)
    return CampaignOut(
        id=row.id,
        year=d.year,
        name=d.name,
        state=row.state,
        state_label=CAMPAIGN_STATE_LABELS[row.state],
        target_units=list(d.target_units),
        methods=[MethodWeightIO(method=m.method, weight=m.weight) for m in d.methods],
        questions=[QuestionIO.model_validate(_question_json(q)) for q in d.questionnaire.questions],
        conversion=ConversionIO(**row.conversion),
        bands=BandsIO(**row.bands),
        min_responses=d.min_responses,
        opens_at=d.opens_at,
        closes_at=d.closes_at,
        version=row.version,
        allowed_actions=rules.allowed_actions(row.state),
        public_path=f"/appraisal/{row.id}",
        created_at=stored_utc(row.created_at),
        updated_at=stored_utc(row.updated_at),
        opened_at=stored_utc(row.opened_at) if row.opened_at else None,
        closed_at=stored_utc(row.closed_at) if row.closed_at else None,
        published_at=stored_utc(row.published_at) if row.published_at else None,
    )


# -- reads ------------------------------------------------------------------------------------------


def _sees_drafts(actor: Principal | None) -> bool:
    return actor is not None and actor.has_role("office", "admin")


async def load_campaign(
    session: AsyncSession,
    campaign_id: str,
    *,
    actor: Principal | None = None,
    lock: bool = False,
    key_share: bool = False,
    public: bool = False,
) -> Row[Any]:
    """The campaign's row; 404 when unknown — and for a draft, unless the caller runs campaigns.
    ``lock``: ``FOR UPDATE`` (a change of state waits for the responses being written);
    ``key_share``: ``FOR KEY SHARE`` (a response being written)."""
    query = select(campaigns).where(campaigns.c.id == campaign_id)
    if lock:
        query = query.with_for_update()
    elif key_share:
        query = query.with_for_update(read=True, key_share=True)
    row = (await session.execute(query)).one_or_none()
    if row is None or (row.state == "draft" and (public or not _sees_drafts(actor))):
        raise not_found("评议活动", f"评议活动 {campaign_id} 不存在")
    return row


async def get_campaign(session: AsyncSession, actor: Principal | None, campaign_id: str) -> CampaignOut:
    return campaign_out(await load_campaign(session, campaign_id, actor=actor))


async def list_campaigns(
    session: AsyncSession,
    actor: Principal | None,
    *,
    year: int | None,
    state: str | None,
    limit: int,
    cursor: str | None,
) -> Page[CampaignOut]:
    conditions = []
    if year is not None:
        conditions.append(campaigns.c.year == year)
    if state is not None:
        conditions.append(campaigns.c.state == state)
    if not _sees_drafts(actor):
        conditions.append(campaigns.c.state != "draft")
    page = await paginate(
        session,
        select(campaigns).where(*conditions),
        [SortKey(campaigns.c.created_at, descending=True), SortKey(campaigns.c.id, descending=True)],
        limit=limit,
        cursor=cursor,
    )
    return page.map(campaign_out)


# -- writes -----------------------------------------------------------------------------------------


async def _check_units_known(session: AsyncSession, units: tuple[str, ...]) -> None:
    """Target units must be in the replica of the unit directory (any kind, 制度 第三条)."""
    if not units:
        return
    table = reference.units
    known = set((await session.scalars(select(table.c.unit_code).where(table.c.unit_code.in_(units)))).all())
    unknown = [u for u in units if u not in known]
    if unknown:
        raise InvalidInput("target_unit_unknown", "被评议单位不在单位名录中", "、".join(unknown), units=unknown)


async def create_campaign(session: AsyncSession, ctx: Ctx, actor: Principal, body: CampaignIn) -> CampaignOut:
    definition = definition_from(body)
    rules.validate_campaign(definition)
    await _check_units_known(session, definition.target_units)
    now = ctx.clock.now()
    campaign_id = str(uuid.uuid4())
    values = {
        "id": campaign_id,
        "state": "draft",
        **_stored(definition),
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "created_by": actor.sub,
    }
    await session.execute(campaigns.insert().values(**values))
    await ctx.journal.audit(session, actor, "campaign.created", "campaign", campaign_id, after=_audit_view(definition))
    row = (await session.execute(select(campaigns).where(campaigns.c.id == campaign_id))).one()
    return campaign_out(row)


def _audit_view(d: CampaignDefinition) -> dict[str, Any]:
    view = _stored(d)
    view["opens_at"] = d.opens_at.isoformat()
    view["closes_at"] = d.closes_at.isoformat()
    return view


async def update_campaign(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, body: CampaignPatch, if_match: str | None
) -> CampaignOut:
    row = await load_campaign(session, campaign_id, actor=actor, lock=True)
    check_if_match(if_match, row.version)
    before = definition_of(row)
    changes: dict[str, Any] = {}
    for name in body.model_fields_set:
        value = getattr(body, name)
        if value is None and name != "questions":
            continue
        attribute, convert = _PATCHERS[name]
        changes[attribute] = convert(value)
    after = CampaignDefinition(**{**before.__dict__, **changes})
    changed = [a for a in changes if getattr(before, a) != getattr(after, a)]
    # 409 campaign_locked: questions, weights, units … no longer change once answers are taken.
    rules.check_editable(row.state, changed)
    if not changed:
        return campaign_out(row)
    rules.validate_campaign(after)
    if "target_units" in changed:
        await _check_units_known(session, after.target_units)
    if row.state == "open" and "closes_at" in changed and after.closes_at <= ctx.clock.now():
        raise InvalidInput("campaign_window_invalid", "新的截止时间已过；要结束评议请使用 close", f"{after.closes_at}")
    await session.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(**_stored(after), version=row.version + 1, updated_at=ctx.clock.now())
    )
    await ctx.journal.audit(
        session,
        actor,
        "campaign.updated",
        "campaign",
        campaign_id,
        before={k: v for k, v in _audit_view(before).items() if k in changed},
        after={k: v for k, v in _audit_view(after).items() if k in changed},
    )
    return campaign_out((await session.execute(select(campaigns).where(campaigns.c.id == campaign_id))).one())


async def open_campaign(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, if_match: str | None
) -> CampaignOut:
    """draft → open (第六条(二) 发布社会评议信息): the page and the response API start taking answers
    from ``opens_at``."""
    row = await load_campaign(session, campaign_id, actor=actor, lock=True)
    check_if_match(if_match, row.version, required=True)
    target = rules.transition(row.state, "open")
    definition = definition_of(row)
    rules.check_can_open(definition, ctx.clock.now())
    await _check_units_known(session, definition.target_units)
    now = ctx.clock.now()
    await session.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(state=target, version=row.version + 1, updated_at=now, opened_at=now)
    )
    await ctx.journal.audit(
        session, actor, "campaign.opened", "campaign", campaign_id, before={"state": row.state}, after={"state": target}
    )
    return campaign_out((await session.execute(select(campaigns).where(campaigns.c.id == campaign_id))).one())
