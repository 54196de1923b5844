"""Third-party scores (第三方评估, 社会评议办法 第七条(三)) imported from the assessor's CSV or XLSX
table, all rows valid or none; and the panel (代表评议, 社会监督员) of a campaign."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.domain import campaigns as rules
from services.appraisal.domain.third_party import ThirdPartyRow, validate_third_party_scores
from services.appraisal.models import panel_members, third_party_scores
from services.appraisal.schemas.campaigns import PanelMemberIn, PanelMemberOut, PanelOut
from services.appraisal.schemas.responses import ThirdPartyImportOut, ThirdPartyScoreOut
from services.appraisal.service.campaigns import definition_of, load_campaign
from services.appraisal.service.results import compute_and_store
from shared.auth import Principal
from shared.db import stored_utc
from shared.domain import DomainError, InvalidInput
from shared.errors import ProblemError, not_found

HEADERS = {
    "unit_code": {"unit_code", "单位代码", "单位编码", "被评议单位代码"},
    "score": {"score", "分数", "得分", "评估分数"},
    "remarks": {"remarks", "评估意见", "意见", "备注"},
}


def _invalid_file(detail: str) -> InvalidInput:
    return InvalidInput("import_file_invalid", "导入文件无法读取", detail)


def _table(content: bytes, filename: str | None) -> list[list[Any]]:
    """The file's rows as cells; XLSX by its zip signature, CSV (UTF-8 or GB18030) otherwise."""
    if content[:2] == b"PK":
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise _invalid_file(f"{filename or '文件'} 不是有效的 XLSX 文件") from exc
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _invalid_file("CSV 文件须为 UTF-8 或 GB18030 编码")
    if "\x00" in text:
        raise _invalid_file("CSV 文件含有空字符")
    try:
        return [list(row) for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise _invalid_file(f"CSV 格式错误：{exc}") from exc


def read_rows(content: bytes, filename: str | None, max_rows: int) -> list[ThirdPartyRow]:
    table = [row for row in _table(content, filename) if any(c not in (None, "") for c in row)]
    if not table:
        raise InvalidInput("third_party_scores_empty", "导入文件中没有评估分数")
    header = [str(c).strip().lower() if c is not None else "" for c in table[0]]
    columns: dict[str, int] = {}
    for name, spellings in HEADERS.items():
        found = [i for i, h in enumerate(header) if h in spellings]
        if found:
            columns[name] = found[0]
    missing = [n for n in ("unit_code", "score") if n not in columns]
    if missing:
        raise _invalid_file(f"缺少列：{'、'.join(missing)}（表头须有 单位代码/unit_code 和 分数/score）")
    if len(table) - 1 > max_rows:
        raise ProblemError(413, "import_too_large", "导入文件过大", f"最多 {max_rows} 行")

    def cell(row: list[Any], name: str) -> Any:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    return [
        ThirdPartyRow(
            row=number, unit_code=cell(row, "unit_code"), score=cell(row, "score"), remarks=cell(row, "remarks")
        )
        for number, row in enumerate(table[1:], start=2)
    ]


async def import_scores(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, content: bytes, filename: str | None
) -> ThirdPartyImportOut:
    """Replace the campaign's third-party scores by the file's (open or closed campaigns with the
    method); a closed campaign's results are computed again at once."""
    campaign = await load_campaign(session, campaign_id, actor=actor, lock=True)
    definition = definition_of(campaign)
    rules.check_third_party_import(definition, campaign.state)
    rows = read_rows(content, filename, ctx.resources.settings.max_import_rows)
    scores = validate_third_party_scores(definition, rows)
    now = ctx.clock.now()
    await session.execute(delete(third_party_scores).where(third_party_scores.c.campaign_id == campaign_id))
    await session.execute(
        third_party_scores.insert(),
        [
            {
                "campaign_id": campaign_id,
                "unit_code": s.unit_code,
                "score": s.score,
                "remarks": s.remarks,
                "imported_at": now,
                "imported_by": actor.sub,
            }
            for s in scores
        ],
    )
    if campaign.state == "closed":
        await compute_and_store(session, ctx, campaign_id, definition)
    await ctx.journal.audit(
        session,
        actor,
        "third_party_scores.imported",
        "campaign",
        campaign_id,
        after={"file": filename, "scores": {s.unit_code: str(s.score) for s in scores}},
    )
    return ThirdPartyImportOut(
        imported=len(scores),
        items=[
            ThirdPartyScoreOut(unit_code=s.unit_code, score=s.score, remarks=s.remarks, imported_at=now) for s in scores
        ],
    )


# -- the panel (代表评议: 人大代表、政协委员、媒体、专家; 社会监督员) -------------------------------------

PANEL_METHODS = ("representative", "supervisor")


def _member_out(row: Any) -> PanelMemberOut:
    return PanelMemberOut(
        member_sub=row.member_sub,
        method=row.method,
        name=row.name,
        category=row.category,
        added_at=stored_utc(row.added_at),
    )


async def list_panel(session: AsyncSession, actor: Principal, campaign_id: str) -> PanelOut:
    await load_campaign(session, campaign_id, actor=actor)
    rows = await session.execute(
        select(panel_members).where(panel_members.c.campaign_id == campaign_id).order_by(panel_members.c.member_sub)
    )
    return PanelOut(items=[_member_out(r) for r in rows.all()])


async def put_panel_member(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, member_sub: str, body: PanelMemberIn
) -> PanelMemberOut:
    """Register (or re-register) a panel member by identity; allowed until the campaign closes."""
    campaign = await load_campaign(session, campaign_id, actor=actor, lock=True)
    definition = definition_of(campaign)
    if body.method not in PANEL_METHODS or definition.weight_of(body.method) is None:
        raise InvalidInput("panel_method_invalid", "本次评议未设该评议员方式", body.method)
    if campaign.state not in ("draft", "open"):
        raise DomainError("panel_locked", "评议结束后不能再登记评议员", f"状态 {campaign.state}")
    existing = (
        await session.execute(
            select(panel_members).where(
                panel_members.c.campaign_id == campaign_id, panel_members.c.member_sub == member_sub
            )
        )
    ).one_or_none()
    values = {"method": body.method, "name": body.name, "category": body.category}
    if existing is None:
        await session.execute(
            panel_members.insert().values(
                campaign_id=campaign_id, member_sub=member_sub, added_at=ctx.clock.now(), **values
            )
        )
    else:
        await session.execute(
            panel_members.update()
            .where(panel_members.c.campaign_id == campaign_id, panel_members.c.member_sub == member_sub)
            .values(**values)
        )
    await ctx.journal.audit(
        session,
        actor,
        "panel_member.registered",
        "campaign",
        campaign_id,
        before=None
        if existing is None
        else {"member_sub": member_sub, "method": existing.method, "name": existing.name},
        after={"member_sub": member_sub, **values},
    )
    row = (
        await session.execute(
            select(panel_members).where(
                panel_members.c.campaign_id == campaign_id, panel_members.c.member_sub == member_sub
            )
        )
    ).one()
    return _member_out(row)


async def remove_panel_member(
    session: AsyncSession, ctx: Ctx, actor: Principal, campaign_id: str, member_sub: str
) -> None:
    campaign = await load_campaign(session, campaign_id, actor=actor, lock=True)
    if campaign.state not in ("draft", "open"):
        raise DomainError("panel_locked", "评议结束后不能再变更评议员", f"状态 {campaign.state}")
    result = await session.execute(
        delete(panel_members).where(
            panel_members.c.campaign_id == campaign_id, panel_members.c.member_sub == member_sub
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise not_found("评议员", member_sub)
    await ctx.journal.audit(
        session, actor, "panel_member.removed", "campaign", campaign_id, before={"member_sub": member_sub}
    )
