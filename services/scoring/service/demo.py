"""The scoring service's part of ``gongkai seed-demo``: this year's appraisal scheme (考核方案),
seed 003 as transcribed in ``examples/schemes/district-2023.yaml`` (``seed/`` here), over the units this service
knows from its replica — townships in category A (乡镇、街道), every other kind in B (部门) —
published, so each unit has its score sheet and the demo's overdue application lands on one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from services.scoring.config import Ctx
from services.scoring.models import schemes as schemes_table
from services.scoring.service import schemes
from shared.etags import etag
from shared.journal import DEMO_OFFICE
from shared.reference import units

# Package data (examples/schemes/district-2023.yaml is a link to it), so an installed image has it.
DEMO_SCHEME = Path(__file__).resolve().parents[1] / "seed" / "district-2023.yaml"


async def seed_demo(runtime: Ctx, _force: bool = False) -> dict[str, int]:
    """Adds nothing when a scheme exists: a second scheme for the same year could not be published
    (one event, one scheme), so ``--force`` adds none either."""
    async with runtime.transaction() as session:
        existing = await session.scalar(select(func.count()).select_from(schemes_table)) or 0
        if existing:
            return {"schemes": 0, "already_present": existing}
        townships = [u.unit_code for u in await units.in_category(session, kinds=["township"])]
        others = [u.unit_code for u in await units.in_category(session) if u.unit_code not in townships]
    if not DEMO_SCHEME.exists() or not (townships or others):
        return {"schemes": 0}
    document = this_years_scheme(schemes.parse_document(DEMO_SCHEME.read_bytes(), "application/yaml"), runtime)
    members = {"A": townships, "B": others}
    document["categories"] = [
        {**category, "units": members[category["code"]]}
        for category in document["categories"]
        if members.get(category["code"])
    ]
    async with runtime.transaction() as session:
        draft = await schemes.create_scheme(session, runtime, DEMO_OFFICE, document)
        await schemes.publish_scheme(session, runtime, DEMO_OFFICE, draft.id, etag(draft.version))
    return {"schemes": 1, "sheets": len(townships) + len(others)}


def this_years_scheme(document: Any, runtime: Ctx) -> dict[str, Any]:
    year = runtime.clock.today().year
    return {
        **document,
        "year": year,
        "name": f"{year}年度政务公开工作考核方案（演示，据XX区2023年度方案）",
        "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
    }
