"""``gongkai seed-demo``: a realistic data set for the embedded mode, so ``make run`` shows
something real at once — a city's units and applications in every state, made through the same
use cases a clerk's clicks go through (so their clocks, events and timelines are real too)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import applications
from services.requests.schemas.applications import ApplicationCreate, ApplicationOut, ReviewRecordIn
from services.requests.schemas.units import UnitIn
from services.requests.service.applications import actions, consultations, create_application, reviews
from services.requests.service.units import put_unit
from shared.auth import Principal
from shared.clock import SHANGHAI
from shared.etags import etag

P = ParamSpec("P")
T = TypeVar("T")

OFFICE = Principal(sub="demo-office", name="市政务公开办", roles=frozenset({"office"}), unit_codes=frozenset())

UNITS: list[dict[str, Any]] = [
    {
        "unit_code": "HD-GOV",
        "name": "邯郸市人民政府办公室",
        "kind": "government",
        "parent_code": None,
        "region": "130400",
    },
    {"unit_code": "HD-CZJ", "name": "邯郸市财政局", "kind": "department", "parent_code": "HD-GOV", "region": "130400"},
    {"unit_code": "HD-JYJ", "name": "邯郸市教育局", "kind": "department", "parent_code": "HD-GOV", "region": "130400"},
    {
        "unit_code": "HD-ZRZY",
        "name": "邯郸市自然资源和规划局",
        "kind": "department",
        "parent_code": "HD-GOV",
        "region": "130400",
    },
    {
        "unit_code": "HD-STHJ",
        "name": "邯郸市生态环境局",
        "kind": "department",
        "parent_code": "HD-GOV",
        "region": "130400",
    },
    {
        "unit_code": "HD-WJW",
        "name": "邯郸市卫生健康委员会",
        "kind": "department",
        "parent_code": "HD-GOV",
        "region": "130400",
    },
    {
        "unit_code": "CT-GOV",
        "name": "邯郸市丛台区人民政府",
        "kind": "government",
        "parent_code": "HD-GOV",
        "region": "130403",
    },
    {
        "unit_code": "CT-LZ",
        "name": "丛台区联纺路街道办事处",
        "kind": "township",
        "parent_code": "CT-GOV",
        "region": "130403001",
    },
    {
        "unit_code": "HS-GOV",
        "name": "邯郸市邯山区人民政府",
        "kind": "government",
        "parent_code": "HD-GOV",
        "region": "130402",
    },
    {
        "unit_code": "HD-GS",
        "name": "邯郸市供水有限公司",
        "kind": "public_enterprise",
        "parent_code": "HD-GOV",
        "region": "130400",
    },
]

APPLICANTS = [
    {
        "type": "natural_person",
        "name": "王建国",
        "id_type": "resident_id",
        "id_number": "130402198805061234",
        "phone": "13803100001",
        "email": "wangjg@example.com",
        "address": "邯郸市丛台区中华北大街100号",
    },
    {
        "type": "commercial_enterprise",
        "name": "李明",
        "organization": "邯郸市宏达建材有限公司",
        "id_type": "social_credit_code",
        "id_number": "91130400MA0ABCDE1X",
        "phone": "0310-5550001",
    },
    {
        "type": "research_institution",
        "name": "赵敏",
        "organization": "河北工程大学城市治理研究中心",
        "email": "zhaomin@example.edu.cn",
    },
    {"type": "legal_service_org", "name": "孙律师", "organization": "河北某某律师事务所", "phone": "0310-5550002"},
    {
        "type": "public_welfare_org",
        "name": "周洁",
        "organization": "邯郸市绿色家园环保协会",
        "email": "zhoujie@example.org",
    },
    {
        "type": "natural_person",
        "name": "陈晓燕",
        "id_type": "resident_id",
        "id_number": "130403199211203456",
        "phone": "13903100002",
    },
]

DESCRIPTIONS = [
    ("HD-CZJ", "2026年度市本级一般公共预算支出执行情况"),
    ("HD-JYJ", "2026年秋季学期中小学学区划分方案及其制定依据"),
    ("HD-ZRZY", "丛台区某地块国有建设用地使用权出让合同及规划条件"),
    ("HD-STHJ", "2026年第三季度重点排污单位自行监测数据"),
    ("HD-WJW", "2026年市级医疗机构不良事件统计情况"),
    ("CT-GOV", "联纺路街道老旧小区改造项目的招标文件与中标结果"),
    ("HS-GOV", "邯山区2026年征收补偿安置方案"),
    ("HD-GS", "2026年居民生活用水价格调整的成本监审报告"),
]


async def seed_demo(runtime: Ctx, *, force: bool = False) -> dict[str, int]:
    """Creates the demo units and applications; refuses to add a second set unless ``force``.
    Each step is its own transaction, as a clerk's click would be (the clock moves between them)."""
    async with runtime.transaction() as session:
        existing = await session.scalar(select(func.count()).select_from(applications)) or 0
    if existing and not force:
        return {"units": 0, "applications": 0, "already_present": existing}
    async with runtime.transaction() as session:
        for unit in UNITS:
            body = UnitIn(
                name=unit["name"],
                kind=unit["kind"],
                parent_code=unit["parent_code"],
                region=unit["region"],
                contacts=[{"name": "政务公开工作人员", "title": "信息公开专员", "phone": "0310-1234567"}],
            )
            await put_unit(session, runtime, OFFICE, unit["unit_code"], body)
    demo = Demo(runtime, runtime.clock.today())
    made = 0
    try:
        for index, story in enumerate(STORIES):
            unit_code, description = DESCRIPTIONS[index % len(DESCRIPTIONS)]
            await story(demo, unit_code, description, APPLICANTS[index % len(APPLICANTS)])
            made += 1
    finally:
        runtime.clock.reset()
    return {"units": len(UNITS), "applications": made}


@dataclass(frozen=True)
class Demo:
    runtime: Ctx
    today: date  # the real day the demo is seeded on; every story is dated back from it

    async def do(
        self, use_case: Callable[Concatenate[AsyncSession, Ctx, P], Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """One use case in its own transaction."""
        async with self.runtime.transaction() as session:
            return await use_case(session, self.runtime, *args, **kwargs)


def _day(demo: Demo, days_ago: int) -> date:
    return demo.today - timedelta(days=days_ago)


def _at(demo: Demo, days_ago: int) -> None:
    """Walks the service clock to 10:00 Beijing time that many days ago."""
    demo.runtime.clock.set(datetime.combine(_day(demo, days_ago), time(10), tzinfo=SHANGHAI), frozen=True)


async def _paper(demo: Demo, unit_code: str, description: str, applicant: dict, days_ago: int) -> ApplicationOut:
    _at(demo, days_ago)
    staff = Principal(
        sub=f"clerk-{unit_code}", name="受理窗口", roles=frozenset({"handler"}), unit_codes=frozenset({unit_code})
    )
    body = ApplicationCreate(
        unit_code=unit_code,
        channel="in_person",
        applicant=applicant,
        description=description,
        purpose="个人了解",
        delivery={"format": "paper", "method": "pickup"},
        received_at=datetime.combine(_day(demo, days_ago), time(9, 30), tzinfo=SHANGHAI),
    )
    return await demo.do(create_application, staff, body)


async def _assigned(demo: Demo, unit_code: str, description: str, applicant: dict, days_ago: int) -> ApplicationOut:
    created = await _paper(demo, unit_code, description, applicant, days_ago)
    _at(demo, days_ago - 1)
    return await demo.do(
        actions.assign, OFFICE, created.id, etag(created.version), None, f"clerk-{unit_code}", "张承办"
    )


async def submitted_online(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    _at(demo, 1)
    body = ApplicationCreate(
        unit_code=unit_code,
        channel="online",
        applicant=applicant,
        description=description,
        delivery={"format": "electronic", "method": "email"},
    )
    await demo.do(create_application, None, body)


async def registered(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    await _paper(demo, unit_code, description, applicant, 3)


async def awaiting_correction(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    created = await _paper(demo, unit_code, description, applicant, 6)
    _at(demo, 4)
    await demo.do(
        actions.request_correction,
        OFFICE,
        created.id,
        etag(created.version),
        None,
        15,
        "请明确所需信息的时间范围和文号",
    )


async def in_progress(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    await _assigned(demo, unit_code, description, applicant, 8)


async def consulting(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    out = await _assigned(demo, unit_code, description, applicant, 12)
    _at(demo, 9)
    await demo.do(
        consultations.start_consultation,
        OFFICE,
        out.id,
        etag(out.version),
        None,
        "邯郸市宏达建材有限公司",
        "third_party",
    )


async def fee_pending(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    out = await _assigned(demo, unit_code, description, applicant, 10)
    _at(demo, 7)
    await demo.do(actions.fee_notice, OFFICE, out.id, etag(out.version), None, "per_page", 150)


async def in_review(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    out = await _assigned(demo, unit_code, description, applicant, 14)
    _at(demo, 2)
    await demo.do(
        actions.review, OFFICE, out.id, etag(out.version), None, "refer", "保密员刘", "涉及第三方商业信息，报请审查"
    )


async def _replied(
    demo: Demo, unit_code: str, description: str, applicant: dict, outcome: str, days_ago: int, replied_ago: int
) -> ApplicationOut:
    out = await _assigned(demo, unit_code, description, applicant, days_ago)
    _at(demo, replied_ago)
    opinion = "disclose" if outcome in ("disclosed", "partially_disclosed") else "withhold"
    out = await demo.do(actions.review, OFFICE, out.id, etag(out.version), None, opinion, "保密员刘", None)
    return await demo.do(
        actions.reply,
        OFFICE,
        out.id,
        etag(out.version),
        None,
        outcome,
        "《中华人民共和国政府信息公开条例》第三十六条",
        "经审查，现答复如下……",
    )


async def replied_disclosed(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    await _replied(demo, unit_code, description, applicant, "disclosed", 30, 20)


async def replied_withheld(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    out = await _replied(demo, unit_code, description, applicant, "withheld.third_party_rights", 40, 25)
    _at(demo, 10)
    await demo.do(
        reviews.add_review_record,
        OFFICE,
        out.id,
        ReviewRecordIn(kind="administrative_review", filed_on=_day(demo, 10), result="pending"),
    )


async def replied_late(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    await _replied(demo, unit_code, description, applicant, "unavailable.not_held", 60, 5)


async def archived(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    out = await _replied(demo, unit_code, description, applicant, "partially_disclosed", 80, 60)
    _at(demo, 50)
    await demo.do(actions.archive, OFFICE, out.id, etag(out.version), None)


async def withdrawn(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    created = await _paper(demo, unit_code, description, applicant, 9)
    _at(demo, 6)
    await demo.do(actions.withdraw, OFFICE, created.id, etag(created.version), None, "申请人书面撤回")


async def overdue(demo: Demo, unit_code: str, description: str, applicant: dict) -> None:
    await _assigned(demo, unit_code, description, applicant, 45)


Story = Callable[[Demo, str, str, dict], Awaitable[None]]
STORIES: list[Story] = [
    submitted_online,
    registered,
    awaiting_correction,
    in_progress,
    consulting,
    fee_pending,
    in_review,
    replied_disclosed,
    replied_withheld,
    replied_late,
    archived,
    withdrawn,
    overdue,
    submitted_online,
    in_progress,
    replied_disclosed,
]
