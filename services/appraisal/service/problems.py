"""Problems (评议中发现的问题, 社会评议办法 第九条): the office edits them before publication; after it,
the unit answers each with its rectification report (整改情况). The deadline (20 working days from
the notice) is accountability's: this service keeps the problems and the answers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain.text import free_text_error, normalise_line_breaks
from services.appraisal.models import campaign_results, problems
from services.appraisal.schemas.results import ProblemOut, ProblemsIn, RectificationIn
from services.appraisal.service.campaigns import load_campaign
from services.appraisal.service.result_reads import problem_out
from shared.auth import Principal
from shared.domain import DomainError, InvalidInput
from shared.errors import forbidden, not_found
from shared.etags import check_if_match

MAX_PROBLEM_LENGTH = 2000
MAX_REPORT_LENGTH = 5000


def _clean(text: str, max_length: int, field: str) -> str:
    text = normalise_line_breaks(text).strip()
    problem = free_text_error(text, max_length)
    if not text or problem is not None:
        raise InvalidInput("text_invalid", "文字内容无效", f"{field}：{problem[1] if problem else '不能为空'}")
    return text


async def edit_problems(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, unit_code: str, body: ProblemsIn
) -> list[ProblemOut]:
    """Replace the unit's problem list (closed campaigns only): listed ids are kept (text as sent),
    new entries added, the rest dropped; the order is the list's."""
    campaign = await load_campaign(session, campaign_id, actor=actor, lock=True)
    if unit_code not in campaign.target_units:
        raise not_found("被评议单位", unit_code)
    if campaign.state != "closed":
        raise DomainError("problems_locked", "只有评议结束后、公布前可以编辑问题清单", f"状态 {campaign.state}")
    current = {
        r.id: r
        for r in (
            await session.execute(
                select(problems).where(problems.c.campaign_id == campaign_id, problems.c.unit_code == unit_code)
            )
        ).all()
    }
    unknown = [p.id for p in body.problems if p.id is not None and p.id not in current]
    if unknown:
        raise InvalidInput("problem_unknown", "问题不存在", "、".join(unknown))
    before = [{"id": r.id, "text": r.text} for r in sorted(current.values(), key=lambda r: r.position)]
    await session.execute(
        delete(problems).where(problems.c.campaign_id == campaign_id, problems.c.unit_code == unit_code)
    )
    rows: list[dict[str, Any]] = []
    for position, edit in enumerate(body.problems):
        text = _clean(edit.text, MAX_PROBLEM_LENGTH, f"第{position + 1}条")
        kept = current.get(edit.id) if edit.id else None
        rows.append(
            {
                "id": kept.id if kept else str(uuid.uuid4()),
                "campaign_id": campaign_id,
                "unit_code": unit_code,
                "position": position,
                "text": text,
                "mentions": kept.mentions if kept else 0,
                "methods": kept.methods if kept else [],
                "version": (kept.version + (text != kept.text)) if kept else 1,
            }
        )
    if rows:
        await session.execute(problems.insert(), rows)
    await session.execute(
        update(campaign_results)
        .where(campaign_results.c.campaign_id == campaign_id, campaign_results.c.unit_code == unit_code)
        .values(problems_edited=True)
    )
    await ctx.journal.audit(
        session,
        actor,
        "problems.edited",
        "campaign",
        campaign_id,
        before={"unit_code": unit_code, "problems": before},
        after={"unit_code": unit_code, "problems": [{"id": r["id"], "text": r["text"]} for r in rows]},
    )
    saved = (
        await session.execute(
            select(problems)
            .where(problems.c.campaign_id == campaign_id, problems.c.unit_code == unit_code)
            .order_by(problems.c.position)
        )
    ).all()
    return [problem_out(r) for r in saved]


async def report_rectification(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    campaign_id: str,
    problem_id: str,
    body: RectificationIn,
    if_match: str | None,
) -> ProblemOut:
    """The unit's rectification report against one published problem (第九条), by its own staff or
    the office; sent again, it replaces the earlier report (the audit log keeps both)."""
    campaign = await load_campaign(session, campaign_id, actor=actor)
    row = (
        await session.execute(
            select(problems).where(problems.c.id == problem_id, problems.c.campaign_id == campaign_id).with_for_update()
        )
    ).one_or_none()
    if row is None or not actor.can_read(row.unit_code):
        raise not_found("问题", problem_id)
    if not actor.can_act(row.unit_code):
        raise forbidden("只有被评议单位或政务公开办公室可以填报整改情况")
    if campaign.state != "published":
        raise DomainError("campaign_not_published", "评议结果公布后方可填报整改情况", f"状态 {campaign.state}")
    check_if_match(if_match, row.version)
    report = _clean(body.report, MAX_REPORT_LENGTH, "整改情况")
    now = ctx.clock.now()
    await session.execute(
        update(problems)
        .where(problems.c.id == problem_id)
        .values(rectification=report, rectified_at=now, rectified_by=actor.sub, version=row.version + 1)
    )
    await ctx.journal.audit(
        session,
        actor,
        "problem.rectification_reported",
        "problem",
        problem_id,
        before={"rectification": row.rectification},
        after={"rectification": report, "unit_code": row.unit_code, "campaign_id": campaign_id},
    )
    return problem_out((await session.execute(select(problems).where(problems.c.id == problem_id))).one())
