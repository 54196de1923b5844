"""Results (评议结果), problems and rectification reports, third-party scores, the .xlsx export and
the public summary: ``/api/v1/campaigns/{id}/…``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Response, UploadFile

from services.appraisal.api.common import Caller, CampaignId, IfMatch, Office, Runtime, Session, UnitCode
from services.appraisal.schemas.responses import ThirdPartyImportOut
from services.appraisal.schemas.results import ProblemOut, ProblemsIn, RectificationIn, ResultsOut, SummaryOut
from services.appraisal.service import campaigns, problems, result_reads, third_party
from services.appraisal.service.results_xlsx import results_workbook
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag

router = APIRouter(prefix="/api/v1/campaigns", tags=["campaigns 社会评议"], responses=PROBLEM_RESPONSES)
ProblemId = Annotated[str, Path(max_length=36, description="问题编号")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/{campaign_id}/results", response_model=ResultsOut, summary="评议结果 / results")
async def get_results(session: Session, actor: Caller, campaign_id: CampaignId) -> ResultsOut:
    """评议结束后办公室（及考核、纪检角色）可看全部单位；公布后被评议单位可看本单位。每个单位：各方式的
    答卷数、各等次计数、满意率、得分，加权综合得分和等次；不足最少答卷数的为 ``insufficient``。"""
    return await result_reads.get_results(session, actor, campaign_id)


@router.get("/{campaign_id}/results/{unit_code}", response_model=ResultsOut, summary="一个单位的结果 / a unit's result")
async def get_unit_result(session: Session, actor: Caller, campaign_id: CampaignId, unit_code: UnitCode) -> ResultsOut:
    return await result_reads.get_results(session, actor, campaign_id, unit_code)


@router.get(
    "/{campaign_id}/results.xlsx",
    response_class=Response,
    summary="评议结果表（.xlsx） / results as .xlsx",
    responses={200: {"content": {XLSX: {}}}},
)
async def export_results(session: Session, actor: Caller, campaign_id: CampaignId) -> Response:
    results = await result_reads.get_results(session, actor, campaign_id)
    campaign = await campaigns.get_campaign(session, actor, campaign_id)
    content = results_workbook(
        f"{campaign.year}年度{campaign.name}评议结果", results, [m.method for m in campaign.methods]
    )
    filename = quote(f"{campaign.year}-社会评议结果.xlsx")
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    )


@router.get("/{campaign_id}/summary", response_model=SummaryOut, summary="评议情况摘要（公开） / public summary")
async def public_summary(session: Session, campaign_id: CampaignId) -> SummaryOut:
    """公开接口，公布后可用：供年度报告（第八条：社会评议情况列入年度报告）——答卷总数、各等次单位数、
    各单位得分、等次和问题数。"""
    return await result_reads.public_summary(session, campaign_id)


@router.put(
    "/{campaign_id}/results/{unit_code}/problems",
    response_model=list[ProblemOut],
    summary="编辑问题清单 / edit problems",
)
async def edit_problems(
    session: Session, ctx: Runtime, actor: Office, campaign_id: CampaignId, unit_code: UnitCode, body: ProblemsIn
) -> list[ProblemOut]:
    """评议结束后、公布前，办公室整理汇集的问题（合并、改写、删除、新增），整体替换；公布时随
    ``appraisal.unit_unsatisfied`` 发出。"""
    return await problems.edit_problems(session, ctx, actor, campaign_id, unit_code, body)


@router.put(
    "/{campaign_id}/problems/{problem_id}/rectification",
    response_model=ProblemOut,
    summary="填报整改情况 / report rectification",
)
async def report_rectification(
    session: Session,
    ctx: Runtime,
    actor: Caller,
    campaign_id: CampaignId,
    problem_id: ProblemId,
    body: RectificationIn,
    response: Response,
    if_match: IfMatch = None,
) -> ProblemOut:
    """公布后，被评议单位针对每个问题填报整改情况（社会评议办法 第九条）；整改期限由责任追究服务计算。"""
    out = await problems.report_rectification(session, ctx, actor, campaign_id, problem_id, body, if_match)
    response.headers["ETag"] = etag(out.version)
    return out


@router.post(
    "/{campaign_id}/third-party-scores",
    response_model=ThirdPartyImportOut,
    summary="导入第三方评估分数（CSV/XLSX） / import third-party scores",
)
async def import_third_party_scores(
    session: Session,
    ctx: Runtime,
    actor: Office,
    campaign_id: CampaignId,
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GB18030）或 XLSX：单位代码、分数、评估意见")],
) -> ThirdPartyImportOut:
    """全部有效才导入（替换之前导入的全部分数），否则 422 ``third_party_scores_invalid`` 列出每个错误行。
    评议进行中或结束后、公布前可导入；结束后导入会重新计算结果。"""
    content = await file.read()
    return await third_party.import_scores(session, ctx, actor, campaign_id, content, file.filename)
