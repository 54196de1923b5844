"""The appraisal service's part of ``gongkai seed-demo``: this year's public appraisal (社会评议)
of every unit in the replica, open from today for thirty days with the default questionnaire
(《社会评议办法》第五条（一）至（七）), so ``/appraisal/{campaign}`` shows a page to answer at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services.appraisal.config import Ctx
from services.appraisal.models import campaigns as campaigns_table
from services.appraisal.schemas.campaigns import CampaignIn, MethodWeightIO
from services.appraisal.service import campaigns
from shared.etags import etag
from shared.journal import DEMO_OFFICE
from shared.reference import units

OPEN_DAYS = 30
# 第四条: 公众评议 with the panel of 代表 and a third party beside it.
METHODS = (("public", "0.6"), ("representative", "0.2"), ("third_party", "0.2"))


async def seed_demo(runtime: Ctx, force: bool = False) -> dict[str, int]:
    async with runtime.transaction() as session:
        existing = await session.scalar(select(func.count()).select_from(campaigns_table)) or 0
        if existing and not force:
            return {"campaigns": 0, "already_present": existing}
        targets = [u.unit_code for u in await units.in_category(session)]
    if not targets:
        return {"campaigns": 0}
    now = runtime.clock.now()
    body = CampaignIn(
        year=now.year,
        name=f"{now.year}年度政务公开工作社会评议（演示）",
        target_units=targets,
        methods=[MethodWeightIO(method=method, weight=Decimal(weight)) for method, weight in METHODS],
        min_responses=30,
        opens_at=now,
        closes_at=now + timedelta(days=OPEN_DAYS),
    )
    async with runtime.transaction() as session:
        draft = await campaigns.create_campaign(session, runtime, DEMO_OFFICE, body)
        await campaigns.open_campaign(session, runtime, DEMO_OFFICE, draft.id, etag(draft.version))
    return {"campaigns": 1, "units": len(targets)}
