"""Units directory (单位名录): ``/api/v1/units`` — thin: parse, authorize, call ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Path, Query, Response, UploadFile, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.schemas.units import UNIT_CODE_PATTERN, ImportResult, UnitIn, UnitOut
from services.requests.service import units as service
from shared.auth import Principal, optional_principal, require_roles, require_unit_access
from shared.errors import PROBLEM_RESPONSES
from shared.etags import etag
from shared.pagination import Page, PageParams, page_params
from shared.runtime import runtime_dependency, session_dependency
from shared.vocabulary import UnitKind

router = APIRouter(prefix="/api/v1/units", tags=["units 单位名录"], responses=PROBLEM_RESPONSES)

Runtime = Annotated[Ctx, Depends(runtime_dependency("requests"))]
Session = Annotated[AsyncSession, Depends(session_dependency("requests"), scope="function")]
Viewer = Annotated[Principal | None, Depends(optional_principal)]
UnitCode = Annotated[str, Path(pattern=UNIT_CODE_PATTERN, description="单位代码 / unit code")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='可选：上次读取的 ETag（如 "3"），不符时 412；新建时不要带 / optional; the ETag last read, 412 when stale',
    ),
]


@router.get("", response_model=Page[UnitOut], summary="单位列表 / list units (public)")
async def list_units(
    session: Session,
    viewer: Viewer,
    response: Response,
    page: Annotated[PageParams, Depends(page_params)],
    kind: Annotated[UnitKind | None, Query(description="单位类型 / kind")] = None,
    region: Annotated[str | None, Query(max_length=12, description="行政区划代码 / region code")] = None,
    parent_code: Annotated[str | None, Query(pattern=UNIT_CODE_PATTERN, description="上级单位代码 / parent")] = None,
    q: Annotated[str | None, Query(max_length=100, description="名称包含 / name contains")] = None,
    active: Annotated[bool | None, Query(description="是否有效 / active")] = None,
) -> Page[UnitOut]:
    """公开接口：申请人提交申请时选择单位，无需令牌。按单位代码排序分页。联系人仅对工作人员
    （主管部门、管理员、考核与纪检人员、本单位工作人员）显示，其他调用方为 ``null``。

    Public (applicants pick the unit they apply to); ordered by unit code, cursor pages.
    ``contacts`` only for staff who read the unit's work, ``null`` for everyone else."""
    response.headers["Vary"] = "Authorization"
    return await service.list_units(
        session,
        viewer,
        kind=kind,
        region=region,
        parent_code=parent_code,
        q=q,
        active=active,
        limit=page.limit,
        cursor=page.cursor,
    )


@router.post(
    "/import",
    response_model=ImportResult,
    summary="批量导入单位（CSV/XLSX） / bulk import units",
    responses={413: PROBLEM_RESPONSES[413], 415: PROBLEM_RESPONSES[415], 422: PROBLEM_RESPONSES[422]},
)
async def import_units(
    session: Session,
    runtime: Runtime,
    actor: Annotated[Principal, Depends(require_roles("office", "admin"))],
    file: Annotated[UploadFile, File(description="CSV（UTF-8 或 GB18030）或 XLSX 文件 / CSV or XLSX file")],
) -> ImportResult:
    """全部成功或全部不导入：任一行有错，返回 422 并在 ``errors`` 中列出 ``{row, field, message}``。

    Columns (Chinese or English headers): 单位代码/unit_code, 单位名称/name, 单位类型/kind
    (政府/部门/乡镇/国有企业/其他 or the English values), 上级单位代码/parent_code,
    行政区划/region, 联系人/contact_name, 角色/contact_role (政务公开联络员/主要负责人/分管负责人/其他
    or the English values; blank: 其他), 职务/contact_title, 电话/contact_phone, 邮箱/contact_email,
    optional 是否有效/active (是/否). A unit with several contacts takes
    several rows with the same unit code. Each listed unit is replaced whole; units not in the
    file are untouched. At most 20,000 data rows (413 beyond). Roles: office, admin."""
    content = await file.read()
    return await service.import_units(session, runtime, actor, content, file.filename)


@router.get("/{unit_code}", response_model=UnitOut, summary="单位详情 / a unit (public)")
async def get_unit(session: Session, viewer: Viewer, unit_code: UnitCode, response: Response) -> UnitOut:
    """公开接口；联系人仅对工作人员显示（其他调用方为 ``null``）。响应头 ``ETag`` 为版本号，
    修改时可放入 ``If-Match``。

    Public; ``contacts`` only for staff who read the unit's work (``null`` otherwise)."""
    unit = await service.get_unit(session, viewer, unit_code)
    response.headers["ETag"] = etag(unit.version)
    response.headers["Vary"] = "Authorization"
    return unit


@router.put(
    "/{unit_code}",
    response_model=UnitOut,
    summary="新建或整体替换单位 / create or replace a unit",
    responses={201: {"model": UnitOut, "description": "已新建 / created"}},
)
async def put_unit(
    session: Session,
    runtime: Runtime,
    unit_code: UnitCode,
    body: UnitIn,
    response: Response,
    actor: Annotated[Principal, Depends(require_roles("office", "admin", "unit_admin"))],
    if_match: IfMatch = None,
) -> UnitOut:
    """新建返回 201，修改返回 200，内容未变也返回 200（不产生事件）。``If-Match`` 可选：带上时须与当前 ETag 一致，否则 412。

    Roles office/admin; a unit_admin only for its own, existing units, and not their kind,
    parent or active flag. The parent must exist and may not be the unit or one of its
    descendants (422 ``parent_not_found`` / ``unit_cycle``)."""
    require_unit_access(actor, unit_code)
    unit, created = await service.put_unit(session, runtime, actor, unit_code, body, if_match=if_match)
    response.headers["ETag"] = etag(unit.version)
    if created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = f"/api/v1/units/{unit_code}"
    return unit
