"""``gongkai seed-demo``: a realistic month of an office, so ``make run`` (and ``make up``) show
something real at once — a city's units with their own contacts, applications by every channel
(12345 work orders and the provincial platform included) in every state, reply texts that read
like real replies, a fee case, an administrative review, an overdue application, and next year's
holiday arrangement loaded.

Everything is made through the same use cases a clerk's clicks (or the platforms' calls) go
through, so clocks, events and timelines are real; every receipt, notice and reply falls on a
working day (counted back from today on the working-day calendar).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import applications
from services.requests.schemas.applications import ApplicationCreate, ApplicationOut, ReviewRecordIn
from services.requests.schemas.calendar import CalendarYearIn
from services.requests.schemas.intake import ProvincialApplicationIn, WorkOrderIn
from services.requests.schemas.units import UnitIn
from services.requests.service import calendar as calendar_service
from services.requests.service import demo_data as data
from services.requests.service import intake
from services.requests.service.applications import actions, consultations, create_application, reviews
from services.requests.service.applications.reads import get_application
from services.requests.service.units import put_unit
from shared.auth import Principal
from shared.clock import SHANGHAI
from shared.etags import etag
from shared.journal import DEMO_OFFICE

P = ParamSpec("P")
T = TypeVar("T")


def _clerk(unit_code: str) -> Principal:
    name = data.HANDLERS[unit_code][1]
    return Principal(
        sub=f"clerk-{unit_code}", name=name, roles=frozenset({"handler"}), unit_codes=frozenset({unit_code})
    )


async def seed_demo(runtime: Ctx, force: bool = False) -> dict[str, int]:
    """Creates the demo units, next year's calendar and the applications; refuses to add a second
    set unless ``force``. Each step is its own transaction, as a clerk's click would be."""
    async with runtime.transaction() as session:
        existing = await session.scalar(select(func.count()).select_from(applications)) or 0
    if existing and not force:
        return {"units": 0, "applications": 0, "already_present": existing}
    today = runtime.clock.today()
    async with runtime.transaction() as session:
        for unit in data.UNITS:
            await put_unit(session, runtime, DEMO_OFFICE, unit["unit_code"], UnitIn(**unit["body"]))
    await _load_next_year(runtime, today.year + 1)
    demo = Demo(runtime, today)
    made = 0
    try:
        for story in STORIES:
            made += await story(demo)
    finally:
        runtime.clock.reset()
    return {"units": len(data.UNITS), "applications": made}


async def _load_next_year(runtime: Ctx, year: int) -> None:
    """Next year's holiday arrangement, so due dates that reach into it are not provisional."""
    if runtime.calendar.is_known(year) or year not in data.NEXT_YEAR_CALENDARS:
        return
    holidays, makeup = data.NEXT_YEAR_CALENDARS[year]
    body = CalendarYearIn.model_validate({"holidays": holidays, "makeup_workdays": makeup})
    async with runtime.transaction() as session:
        await calendar_service.put_calendar_year(session, runtime, DEMO_OFFICE, year, body)


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

    def day(self, working_days_ago: int) -> date:
        """The working day that many working days before today (0: today, if a working day)."""
        calendar = self.runtime.calendar
        if working_days_ago == 0 and calendar.is_working_day(self.today):
            return self.today
        return calendar.add_working_days(self.today, -max(working_days_ago, 1)).day

    def at(self, working_days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
        """Walks the service clock to that working day, at ``hour`` Beijing time."""
        moment = datetime.combine(self.day(working_days_ago), time(hour, minute), tzinfo=SHANGHAI)
        self.runtime.clock.set(moment, frozen=True)
        return moment


class Case:
    """One application, followed step by step with its ETag (as a front end would)."""

    def __init__(self, demo: Demo, story: dict[str, Any]) -> None:
        self.demo = demo
        self.story = story
        self.unit = story["unit"]
        self.clerk = _clerk(self.unit)
        self.out: ApplicationOut | None = None

    @property
    def id(self) -> str:
        assert self.out is not None
        return self.out.id

    async def step(self, ago: int, use_case: Callable[..., Awaitable[ApplicationOut]], **kwargs: Any) -> None:
        assert self.out is not None
        self.demo.at(ago, hour=kwargs.pop("hour", 10))
        self.out = await self.demo.do(use_case, self.clerk, self.id, etag(self.out.version), None, **kwargs)

    async def refresh(self) -> None:
        self.out = await self.demo.do(get_application, self.clerk, self.id)

    async def apply(self, ago: int) -> None:
        """Received by the channel of the story, ``ago`` working days ago."""
        demo, story = self.demo, self.story
        moment = demo.at(ago, hour=9, minute=story.get("minute", 30))
        channel = story["channel"]
        applicant = data.APPLICANTS[story["applicant"]]
        delivery = story.get("delivery", {"format": "electronic", "method": "email"})
        if channel in ("hotline_12345", "provincial"):
            await self._from_platform(moment, applicant, delivery)
            return
        staff_records = channel not in ("online",)
        body = ApplicationCreate(
            unit_code=self.unit,
            channel=channel,
            applicant=applicant,
            description=story["description"],
            purpose=story.get("purpose"),
            delivery=delivery,
            received_at=moment if staff_records else None,
        )
        self.out = await demo.do(create_application, self.clerk if staff_records else None, body)

    async def _from_platform(self, moment: datetime, applicant: dict[str, Any], delivery: dict[str, str]) -> None:
        story, demo = self.story, self.demo
        ref = f"{story['ref']}{moment:%Y%m%d}"
        if story["channel"] == "hotline_12345":
            order = WorkOrderIn.model_validate(
                {
                    "workorder_no": ref,
                    "category": "disclosure_request",
                    "unit_code": self.unit,
                    "content": f"市民来电：{story['description']}，希望依申请公开。",
                    "description": story["description"],
                    "received_at": moment.isoformat(),
                    "due_at": datetime.combine(
                        demo.runtime.calendar.add_working_days(moment.date(), 5).day, time(17), tzinfo=SHANGHAI
                    ).isoformat(),
                    "applicant": applicant,
                    "delivery": delivery,
                }
            )
            accepted, _ = await demo.do(intake.receive_workorder, order)
            assert accepted.application is not None
            application_id = accepted.application.id
        else:
            body = ProvincialApplicationIn.model_validate(
                {
                    "provincial_id": ref,
                    "unit_code": self.unit,
                    "applicant": applicant,
                    "description": story["description"],
                    "delivery": delivery,
                    "received_at": moment.isoformat(),
                }
            )
            accepted_provincial, _ = await demo.do(intake.receive_provincial, body)
            application_id = accepted_provincial.application.id
        self.out = await demo.do(get_application, DEMO_OFFICE, application_id)


def _reply_text(story: dict[str, Any], received: date) -> str:
    applicant = data.APPLICANTS[story["applicant"]]
    honorific = applicant.get("organization") or f"{applicant['name']}{data.HONORIFICS.get(story['applicant'], '')}"
    body = data.REPLIES[story["outcome"]].format(description=story["description"])
    return (
        f"{honorific}：\n您于{received.year}年{received.month}月{received.day}日提出的政府信息公开申请收悉。{body}\n"
        "如对本答复不服，可以自收到本答复之日起60日内向邯郸市人民政府申请行政复议，"
        "或者在6个月内向人民法院提起行政诉讼。"
    )


async def _walk(demo: Demo, story: dict[str, Any]) -> int:
    """Follows a story's steps: each ``(working days ago, step, arguments)``."""
    case = Case(demo, story)
    await case.apply(story["received"])
    for ago, step, *args in story.get("steps", ()):
        options: dict[str, Any] = args[0] if args else {}
        if step == "register":
            await case.step(ago, actions.register)
        elif step == "assign":
            name = data.HANDLERS[case.unit]
            await case.step(ago, actions.assign, handler_id=name[0], handler_name=name[1])
        elif step == "correction":
            await case.step(ago, actions.request_correction, allowed_working_days=15, note=options["note"])
        elif step == "corrected":
            await case.step(ago, actions.receive_correction)
        elif step == "consult":
            demo.at(ago)
            assert case.out is not None
            _, version = await demo.do(
                consultations.start_consultation,
                case.clerk,
                case.id,
                etag(case.out.version),
                None,
                options["party"],
                options["kind"],
            )
            await case.refresh()
        elif step == "fee":
            await case.step(ago, actions.fee_notice, method=options["method"], pages=options.get("pages"))
        elif step == "paid":
            await case.step(ago, actions.fee_payment)
        elif step == "extend":
            await case.step(
                ago, actions.extend, working_days=options["days"], reason=options["reason"], approver="王主任"
            )
        elif step == "review":
            await case.step(
                ago, actions.review, opinion=options["opinion"], reviewer="保密员 赵磊", reason=options.get("reason")
            )
        elif step == "reply":
            assert case.out is not None and case.out.received_on is not None
            text = _reply_text(story, case.out.received_on)
            basis = data.LEGAL_BASES[story["outcome"]]
            await case.step(ago, actions.reply, outcome=story["outcome"], legal_basis=basis, text=text, hour=15)
        elif step == "withdraw":
            await case.step(ago, actions.withdraw, reason=options["reason"])
        elif step == "archive":
            await case.step(ago, actions.archive, hour=16)
        elif step == "appeal":
            demo.at(ago)
            record = ReviewRecordIn(kind="administrative_review", filed_on=demo.day(ago), result="pending")
            await demo.do(reviews.add_review_record, DEMO_OFFICE, case.id, record)
    return 1


def _story(index: int) -> Callable[[Demo], Awaitable[int]]:
    async def run(demo: Demo) -> int:
        return await _walk(demo, data.STORIES[index])

    return run


STORIES: list[Callable[[Demo], Awaitable[int]]] = [_story(i) for i in range(len(data.STORIES))]
