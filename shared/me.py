"""Who am I (``GET /api/v1/me``) and, outside prod, a login for browser apps (``POST
/api/v1/_dev/token``) — served by every service from ``shared`` (DESIGN §10), once in the embedded app.

Capabilities (``shared.vocabulary.CAPABILITY_LABELS``) are derived from the roles, never stored:

* some are the caller's own, whatever the unit (:data:`PERSONAL`): an applicant applies, the 12345
  and provincial platforms submit, an admin operates the system;
* a unit's staff (``handler``, ``unit_admin``) hold :data:`UNIT_STAFF` on each unit of their token;
* the unit-wide roles (``office``, ``admin``, ``assessor``, ``inspector``) hold :data:`ALL_UNITS`
  on every unit (``all_units: true``), and their units in the token, if any, show the same.

They mirror the checks the endpoints make (``Principal.can_read``/``can_act``, ``require_roles``):
a front end shows a button when the capability is there; the endpoint still decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from shared.auth import ROLES, UNIT_STAFF_ROLES, UNIT_WIDE_ROLES, Principal, current_principal, mint_dev_token
from shared.errors import PROBLEM_RESPONSES, ProblemError
from shared.settings import Settings
from shared.vocabulary import CAPABILITY_LABELS, ROLE_LABELS, Capability, Role

# The caller's own, whatever the unit.
PERSONAL: Mapping[str, tuple[Capability, ...]] = {
    "applicant": ("applications.apply",),
    "integration": ("integrations.submit",),
    "admin": ("admin.operate",),
}
# Shared by every role: the units directory and one's own notifications.
EVERYONE: tuple[Capability, ...] = ("units.read", "notifications.read")
# A unit's own staff, on each of their units.
UNIT_STAFF: Mapping[str, tuple[Capability, ...]] = {
    "handler": ("applications.read", "applications.handle", "hotline.answer", "reports.read", "scoring.self_assess"),
    "unit_admin": (
        "applications.read",
        "applications.handle",
        "hotline.answer",
        "reports.read",
        "scoring.self_assess",
        "units.manage",
    ),
}
# The unit-wide roles, on every unit.
ALL_UNITS: Mapping[str, tuple[Capability, ...]] = {
    "office": (
        "applications.read",
        "applications.handle",
        "hotline.answer",
        "reports.read",
        "reports.region",
        "units.manage",
        "calendar.manage",
        "scoring.assess",
        "appraisal.manage",
        "accountability.read",
        "accountability.investigate",
    ),
    "admin": (
        "applications.read",
        "applications.handle",
        "reports.read",
        "reports.region",
        "units.manage",
        "calendar.manage",
    ),
    "assessor": ("applications.read", "reports.read", "reports.region", "scoring.assess"),
    "inspector": (
        "applications.read",
        "reports.read",
        "reports.region",
        "accountability.read",
        "accountability.investigate",
    ),
}
assert set(UNIT_STAFF) == UNIT_STAFF_ROLES and set(ALL_UNITS) == UNIT_WIDE_ROLES
assert set(ROLE_LABELS) == ROLES


class CodeLabel(BaseModel):
    code: str
    label: str


class MeUnit(BaseModel):
    unit_code: str
    name: str | None = Field(description="单位名称 (null when the unit is not in the directory)")
    capabilities: list[CodeLabel]


class MeOut(BaseModel):
    sub: str
    name: str
    roles: list[CodeLabel]
    all_units: bool = Field(description="true for office, admin, assessor, inspector: every unit")
    capabilities: list[CodeLabel] = Field(description="the caller's own (apply, submit, operate …)")
    all_units_capabilities: list[CodeLabel] = Field(description="held on every unit (unit-wide roles)")
    units: list[MeUnit] = Field(description="the units of the token, with names and what the caller may do there")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "sub": "zhang.san",
                    "name": "张三",
                    "roles": [{"code": "handler", "label": "承办人"}],
                    "all_units": False,
                    "capabilities": [{"code": "units.read", "label": "查看单位名录"}],
                    "all_units_capabilities": [],
                    "units": [
                        {
                            "unit_code": "HD-CZJ",
                            "name": "邯郸市财政局",
                            "capabilities": [{"code": "applications.handle", "label": "办理政府信息公开申请"}],
                        }
                    ],
                }
            ]
        }
    }


class DevTokenIn(BaseModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [{"sub": "zhang.san", "name": "张三", "roles": ["handler"], "unit_codes": ["HD-CZJ"]}]
        },
    }

    sub: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="用户标识")
    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="姓名")
    roles: list[Role] = Field(min_length=1, max_length=8, description="角色")
    unit_codes: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]] = Field(
        default_factory=list, max_length=200, description="所属单位代码"
    )
    ttl_seconds: int | None = Field(None, ge=60, le=7 * 24 * 3600, description="有效期（秒），默认 12 小时")


class DevTokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


def _labelled(codes: Iterable[str]) -> list[CodeLabel]:
    ordered = [c for c in CAPABILITY_LABELS if c in set(codes)]
    return [CodeLabel(code=c, label=CAPABILITY_LABELS[c]) for c in ordered]


def capabilities_of(principal: Principal) -> dict[str, Any]:
    """What ``principal`` may do: its own, on every unit, and on each unit of its token."""
    personal = set(EVERYONE)
    for role in principal.roles:
        personal.update(PERSONAL.get(role, ()))
    everywhere: set[str] = set()
    for role in principal.roles:
        everywhere.update(ALL_UNITS.get(role, ()))
    staff: set[str] = set()
    for role in principal.roles:
        staff.update(UNIT_STAFF.get(role, ()))
    return {
        "capabilities": sorted(personal),
        "all_units_capabilities": sorted(everywhere),
        "per_unit": {code: sorted(staff | everywhere) for code in sorted(principal.unit_codes)},
    }


async def _unit_names(request: Request, unit_codes: list[str]) -> dict[str, str]:
    """Names from whichever database of this process holds the units: the requests service's
    directory, or a consumer's replica (``ref_units``). Best effort: a name is a courtesy."""
    if not unit_codes:
        return {}
    runtimes: dict[str, Any] = getattr(request.app.state, "runtimes", {})
    for runtime in runtimes.values():
        tables = runtime.tables.metadata.tables
        table = tables.get("units") if "units" in tables else tables.get("ref_units")
        if table is None:
            continue
        try:
            async with runtime.sessions() as session:
                rows = await session.execute(
                    select(table.c.unit_code, table.c.name).where(table.c.unit_code.in_(unit_codes))
                )
                names = {row.unit_code: row.name for row in rows}
        except Exception:  # noqa: BLE001 — an unreachable or unmigrated database leaves names out
            continue
        if names:
            return names
    return {}


def me_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["front end 前端"], responses={k: PROBLEM_RESPONSES[k] for k in (401,)})

    @router.get("/api/v1/me", response_model=MeOut, summary="当前用户 / who am I, and what may I do")
    async def me(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> MeOut:
        """Roles, the token's units with their names, and the capabilities per unit (codes and
        labels; the list of codes is ``GET /api/v1/labels`` set ``capability``)."""
        derived = capabilities_of(principal)
        names = await _unit_names(request, sorted(principal.unit_codes))
        return MeOut(
            sub=principal.sub,
            name=principal.name,
            roles=[CodeLabel(code=r, label=ROLE_LABELS[r]) for r in ROLE_LABELS if r in principal.roles],
            all_units=principal.sees_all_units,
            capabilities=_labelled(derived["capabilities"]),
            all_units_capabilities=_labelled(derived["all_units_capabilities"]),
            units=[
                MeUnit(unit_code=code, name=names.get(code), capabilities=_labelled(caps))
                for code, caps in derived["per_unit"].items()
            ],
        )

    if settings.is_prod:
        return router

    @router.post(
        "/api/v1/_dev/token",
        response_model=DevTokenOut,
        summary="开发令牌 / mint a dev token (dev and test only)",
        responses={k: PROBLEM_RESPONSES[k] for k in (400, 422)},
    )
    async def dev_token(body: DevTokenIn) -> DevTokenOut:
        """What ``gongkai token --role … --unit …`` prints, for a browser app to log in without a
        shell: signed with the dev secret (``GONGKAI_JWT_SECRET``). Absent when ``GONGKAI_ENV=prod``,
        like the dev clock; production tokens come from the identity provider."""
        now = datetime.now(UTC)
        ttl = body.ttl_seconds or settings.dev_token_ttl_seconds
        try:
            token = mint_dev_token(
                settings,
                sub=body.sub,
                roles=body.roles,
                unit_codes=body.unit_codes,
                name=body.name,
                ttl_seconds=ttl,
                now=now,
            )
        except (ValueError, jwt.PyJWTError) as exc:
            raise ProblemError(422, "dev_token_invalid", "无法签发开发令牌", str(exc)) from exc
        return DevTokenOut(access_token=token, expires_at=now.replace(microsecond=0) + timedelta(seconds=ttl))

    return router
