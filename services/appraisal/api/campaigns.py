"""Campaigns (评议方案): ``/api/v1/campaigns`` — create, read, list, edit, open, close, publish, and
the panel of registered members. Thin: parse, authorize, call ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from services.appraisal.api.common import CampaignId, IfMatch, MaybeCaller, Office, Runtime, Session
from services.appraisal.schemas.campaigns import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    PanelMemberIn,
    PanelMemberOut,
    PanelOut,
)
from services.appraisal.service import campaigns as service
from services.appraisal.service import results
from services.appraisal.service import third_party as panel
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.pagination import Page, PageParams, page_params
from shared.vocabulary import CampaignState

MemberSub = Annotated[str, Path(min_length=1, max_length=200, description="评议员身份（令牌 sub）")]

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns 社会评议"], responses=PROBLEM_RESPONSES)


def _tagged(out: CampaignOut, response: Response) -> CampaignOut:
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "", response_model=CampaignOut, status_code=status.HTTP_201_CREATED, summary="新建评议活动 / create a campaign"
)
async def create_campaign(
    session: Session, ctx: Runtime, actor: Office, body: CampaignIn, response: Response
) -> CampaignOut:
    """政务公开办公室拟定评议方案（社会评议办法 第六条(一)）：年度、名称、被评议单位（含公共企事业单位）、
    评议方式及权重（之和须为1）、问卷（省略则为第五条(一)–(七)）、分值换算、等次分数线、每单位最少答卷数、
    起止时间。新建为 ``draft``。Roles: office, admin."""
    out = await service.create_campaign(session, ctx, actor, body)
    response.headers["Location"] = f"/api/v1/campaigns/{out.id}"
    return _tagged(out, response)


@router.get("", response_model=Page[CampaignOut], summary="评议活动列表 / list campaigns")
async def list_campaigns(
    session: Session,
    actor: MaybeCaller,
    page: Annotated[PageParams, Depends(page_params)],
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    state: Annotated[CampaignState | None, Query()] = None,
) -> Page[CampaignOut]:
    """公开：已开始的评议活动；办公室也看得到草稿。Newest first."""
    return await service.list_campaigns(session, actor, year=year, state=state, limit=page.limit, cursor=page.cursor)


@router.get("/{campaign_id}", response_model=CampaignOut, summary="评议活动详情 / a campaign")
async def get_campaign(
    session: Session, actor: MaybeCaller, campaign_id: CampaignId, response: Response
) -> CampaignOut:
    return _tagged(await service.get_campaign(session, actor, campaign_id), response)


@router.patch("/{campaign_id}", response_model=CampaignOut, summary="修改评议方案 / edit a campaign")
async def update_campaign(
    session: Session,
    ctx: Runtime,
    actor: Office,
    campaign_id: CampaignId,
    body: CampaignPatch,
    response: Response,
    if_match: IfMatch = None,
) -> CampaignOut:
    """只改所带字段。草稿可改一切；开始后只能改 ``name`` 和 ``closes_at``，改问卷、权重、单位等返回 409
    ``campaign_locked``；结束后不能再改。"""
    return _tagged(await service.update_campaign(session, ctx, actor, campaign_id, body, if_match), response)


@router.post("/{campaign_id}/open", response_model=CampaignOut, summary="开始评议 / open")
async def open_campaign(
    session: Session, ctx: Runtime, actor: Office, campaign_id: CampaignId, response: Response, if_match: IfMatch = None
) -> CampaignOut:
    """draft → open（第六条(二) 发布社会评议信息）；从 ``opens_at`` 起接受答卷。须带 If-Match。"""
    return _tagged(await service.open_campaign(session, ctx, actor, campaign_id, if_match), response)


@router.post("/{campaign_id}/close", response_model=CampaignOut, summary="结束评议并计算结果 / close")
async def close_campaign(
    session: Session, ctx: Runtime, actor: Office, campaign_id: CampaignId, response: Response, if_match: IfMatch = None
) -> CampaignOut:
    """open → closed（第六条(三) 汇总评议结果）：计算各单位结果、汇集问题，尚不发事件。到 ``closes_at``
    时服务也会自动结束。须带 If-Match。"""
    return _tagged(await results.close_campaign(session, ctx, actor, campaign_id, if_match), response)


@router.post("/{campaign_id}/publish", response_model=CampaignOut, summary="公布评议结果 / publish")
async def publish_campaign(
    session: Session, ctx: Runtime, actor: Office, campaign_id: CampaignId, response: Response, if_match: IfMatch = None
) -> CampaignOut:
    """closed → published（第六条(四)(五)）：为每个已评定单位发 ``appraisal.result_published``，为每个
    “不满意”单位发 ``appraisal.unit_unsatisfied``（附问题清单）。已公布的再次公布不产生任何变化。"""
    return _tagged(await results.publish_campaign(session, ctx, actor, campaign_id, if_match), response)


@router.get("/{campaign_id}/panel", response_model=PanelOut, summary="评议员名单 / the panel")
async def list_panel(session: Session, actor: Office, campaign_id: CampaignId) -> PanelOut:
    return await panel.list_panel(session, actor, campaign_id)


@router.put(
    "/{campaign_id}/panel/{member_sub}", response_model=PanelMemberOut, summary="登记评议员 / register a member"
)
async def put_panel_member(
    session: Session,
    ctx: Runtime,
    actor: Office,
    campaign_id: CampaignId,
    member_sub: MemberSub,
    body: PanelMemberIn,
) -> PanelMemberOut:
    """人大代表、政协委员、媒体、专家（``representative``）或社会监督员（``supervisor``），按其身份
    （令牌的 ``sub``）登记；登记后凭令牌答卷。评议结束前可登记。"""
    return await panel.put_panel_member(session, ctx, actor, campaign_id, member_sub, body)


@router.delete(
    "/{campaign_id}/panel/{member_sub}", status_code=status.HTTP_204_NO_CONTENT, summary="移除评议员 / remove a member"
)
async def remove_panel_member(
    session: Session, ctx: Runtime, actor: Office, campaign_id: CampaignId, member_sub: MemberSub
) -> Response:
    await panel.remove_panel_member(session, ctx, actor, campaign_id, member_sub)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
