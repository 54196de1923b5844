"""The public questionnaire page (``/appraisal/{campaign}``): server-rendered, Chinese, no JavaScript,
no external assets (社会评议办法 第七条(一): 通过网站、新媒体等渠道开展公众评议). Jinja2 autoescapes
everything it shows, so nothing a respondent wrote comes back as markup. Also the QR code of each
campaign's link (for the poster in a service hall)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import segno
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain.questionnaire import Question
from services.appraisal.service.campaigns import definition_of, load_campaign
from services.appraisal.service.result_reads import unit_names
from shared.db import stored_utc
from shared.errors import ProblemError
from shared.vocabulary import SATISFACTION_RATING_LABELS

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(moment: datetime) -> str:
    return stored_utc(moment).astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")


def render(ctx: Ctx, template: str, **values: Any) -> str:
    return ctx.resources.templates.get_template(template).render(**values)


def message_page(ctx: Ctx, heading: str, text: str, *, name: str = "", back: str = "", errors: list[str] = ()) -> str:  # type: ignore[assignment]
    return render(ctx, "message.html.j2", heading=heading, text=text, name=name, back=back, errors=list(errors))


def _question_view(q: Question) -> dict[str, Any]:
    return {
        "code": q.code,
        "kind": q.kind,
        "text": q.text,
        "required": q.required,
        "choices": [{"code": c.code, "label": c.label} for c in q.choices],
        "max_selected": q.max_selected,
        "max_length": q.max_length,
    }


async def questionnaire_page(session: AsyncSession, ctx: Ctx, campaign_id: str, token: str) -> tuple[int, str]:
    """(status, HTML): the questionnaire while answers are taken, else a page saying why not."""
    try:
        row = await load_campaign(session, campaign_id, public=True)
    except ProblemError:
        return 404, message_page(ctx, "评议活动不存在", "没有找到这项评议活动，请核对链接或二维码。")
    now = ctx.clock.now()
    definition = definition_of(row)
    if row.state != "open" or now >= definition.closes_at:
        return 200, message_page(
            ctx, "本次评议已结束", f"本次评议已于{_local(row.closes_at)}截止，感谢您的关注。", name=row.name
        )
    if now < definition.opens_at:
        return 200, message_page(
            ctx, "本次评议尚未开始", f"本次评议将于{_local(row.opens_at)}开始，欢迎届时参与。", name=row.name
        )
    names = await unit_names(session, list(definition.target_units))
    html = render(
        ctx,
        "questionnaire.html.j2",
        name=row.name,
        year=row.year,
        closes_at=_local(row.closes_at),
        units=[{"code": u, "name": names.get(u, u)} for u in definition.target_units],
        questions=[_question_view(q) for q in definition.questionnaire.questions],
        ratings=list(SATISFACTION_RATING_LABELS.items()),
        action=f"/api/v1/campaigns/{campaign_id}/responses",
        token=token,
    )
    return 200, html


async def thanks_page(session: AsyncSession, ctx: Ctx, campaign_id: str, unit_code: str) -> str:
    row = await load_campaign(session, campaign_id, public=True)
    names = await unit_names(session, [unit_code])
    unit = names.get(unit_code, unit_code) if unit_code in row.target_units else ""
    return message_page(
        ctx,
        "提交成功，感谢您的参与！",
        f"您对“{unit}”的评议已收到。" if unit else "您的评议已收到。",
        name=row.name,
        back=f"/appraisal/{campaign_id}",
    )


def refusal_page(ctx: Ctx, campaign_id: str, status: int, title: str, errors: list[dict[str, Any]] | None) -> str:
    """The form's error answer, readable: what went wrong, and the way back."""
    lines = [
        e.get("message", "") if not e.get("question") else f"第{e['question']}题：{e.get('message', '')}"
        for e in errors or []
    ]
    heading = "未能提交" if status != 409 else title
    return message_page(ctx, heading, title, back=f"/appraisal/{campaign_id}", errors=lines)


def public_link(ctx: Ctx, base_url: str, campaign_id: str) -> str:
    base = ctx.resources.settings.public_base_url or base_url
    return f"{base.rstrip('/')}/appraisal/{campaign_id}"


async def qr_code(session: AsyncSession, ctx: Ctx, campaign_id: str, base_url: str, kind: str) -> bytes:
    """The campaign's link as a QR code (``svg`` or ``png``); 404 for an unknown campaign."""
    await load_campaign(session, campaign_id, public=True)
    code = segno.make(public_link(ctx, base_url, campaign_id), error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind=kind, scale=8, border=2)
    return buffer.getvalue()
