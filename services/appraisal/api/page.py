"""The public page ``/appraisal/{campaign}`` (outside /api/v1, DESIGN §10): the questionnaire, the
thanks page, and the campaign's QR code (PNG or SVG) for posters."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Cookie, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.appraisal.api.common import Runtime, Session
from services.appraisal.api.responses import RESPONDENT_COOKIE
from services.appraisal.service import page

router = APIRouter(prefix="/appraisal", tags=["public page 公众评议页面"])

AnyCampaign = Annotated[str, Path(max_length=100, description="评议活动编号")]
TOKEN_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
ONE_YEAR = 365 * 24 * 3600


def _token(existing: str | None) -> str:
    if existing and 16 <= len(existing) <= 256 and set(existing) <= TOKEN_CHARS:
        return existing
    return secrets.token_urlsafe(24)


@router.get("/{campaign_id}", response_class=HTMLResponse, summary="公众评议页面 / the public questionnaire")
async def questionnaire(
    session: Session,
    ctx: Runtime,
    campaign_id: AnyCampaign,
    cookie_token: Annotated[str | None, Cookie(alias=RESPONDENT_COOKIE)] = None,
) -> HTMLResponse:
    """无需 JavaScript 的服务端页面：列出被评议单位及其问题，每个单位一个表单，提交到答卷接口。
    首次打开时发放答卷人 Cookie（只在服务端保存其散列）。已结束或不存在的评议以文字说明。"""
    token = _token(cookie_token)
    status, html = await page.questionnaire_page(session, ctx, campaign_id, token)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})
    if token != cookie_token and status == 200:
        response.set_cookie(RESPONDENT_COOKIE, token, max_age=ONE_YEAR, httponly=True, samesite="lax", path="/")
    return response


@router.get("/{campaign_id}/thanks", response_class=HTMLResponse, summary="致谢页 / thanks")
async def thanks(
    session: Session,
    ctx: Runtime,
    campaign_id: AnyCampaign,
    unit: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    return HTMLResponse(await page.thanks_page(session, ctx, campaign_id, unit))


@router.get("/{campaign_id}/qr.svg", summary="二维码（SVG） / QR code")
async def qr_svg(session: Session, ctx: Runtime, campaign_id: AnyCampaign, request: Request) -> Response:
    content = await page.qr_code(session, ctx, campaign_id, str(request.base_url), "svg")
    return Response(content, media_type="image/svg+xml")


@router.get("/{campaign_id}/qr.png", summary="二维码（PNG） / QR code")
async def qr_png(session: Session, ctx: Runtime, campaign_id: AnyCampaign, request: Request) -> Response:
    content = await page.qr_code(session, ctx, campaign_id, str(request.base_url), "png")
    return Response(content, media_type="image/png")
