"""The routed events reach the right people with the right text, once (DESIGN §3, §9; issue 15 §1–§4),
through the real inbox consumer, the dispatcher, an SMTP server (aiosmtpd) and an SMS gateway."""

from __future__ import annotations

from datetime import date

from services.notifier.service.digest import run_digest
from shared.events import (
    AccountabilityRectificationOverdue,
    ApplicantContact,
    RequestOverdue,
    RequestRegistered,
    RequestReplied,
    ScoringGradeFailed,
)
from tests.notifier.support import UNIT, event, http_receiver, new_id, notifier, parts, smtp_server


def overdue(request_id: str, handler: str | None = "h-1") -> RequestOverdue:
    return RequestOverdue(
        request_id=request_id,
        tracking_no="YSQ-2026-000123",
        unit_code=UNIT,
        handler_id=handler,
        due_on=date(2026, 3, 30),
    )


async def test_request_overdue_tells_the_handler_the_unit_contact_and_the_office_once(database_url: str) -> None:
    with smtp_server() as (mail, port):
        async with (
            http_receiver() as gateway,
            notifier(database_url, smtp_port=port, sms_gateway_url=gateway.url("/sms")) as api,
        ):
            overdue_event = event(overdue(new_id()))
            await api.deliver(overdue_event)
            await api.deliver(overdue_event)  # redelivered: absorbed
            rows = await api.deliveries(event_id=overdue_event.id)
            assert sorted((r.channel, r.recipient, r.address) for r in rows) == [
                ("email", "contact:U-CZJ:王联络", "wang@czj.gov.cn"),
                ("email", "office:office@gov.cn", "office@gov.cn"),
                ("inbox", "office", "office"),
                ("inbox", "unit:U-CZJ", "U-CZJ"),
                ("inbox", "user:h-1", "h-1"),
                ("sms", "contact:U-CZJ:王联络", "13800000001"),
                ("sms", "office:13900000000", "13900000000"),
            ]
            inbox = next(r for r in rows if r.recipient == "user:h-1")
            assert inbox.status == "sent"
            assert inbox.content["title"] == "申请 YSQ-2026-000123 逾期未答复"
            assert "邯郸市财政局" in inbox.content["body"] and "2026年3月30日" in inbox.content["body"]

            # A consumer never sends: the dispatcher does, from the table.
            assert {r.status for r in rows if r.channel != "inbox"} == {"pending"}
            assert await api.dispatch() == 4
            assert {r.status for r in await api.deliveries(event_id=overdue_event.id)} == {"sent"}
            assert await api.dispatch() == 0  # nothing twice

            assert sorted(m["To"] for m in mail.messages) == ["office@gov.cn", "wang@czj.gov.cn"]
            message = next(m for m in mail.messages if m["To"] == "wang@czj.gov.cn")
            assert "YSQ-2026-000123" in str(message["Subject"])
            body = parts(message)
            assert "第三十三条" in body["text/plain"] and "<b>YSQ-2026-000123</b>" in body["text/html"]
            assert sorted(s["phone"] for s in gateway.sms) == ["13800000001", "13900000000"]
            assert all(s["text"].startswith("【政务公开】") for s in gateway.sms)


async def test_request_replied_tells_the_applicant_on_the_channel_they_chose(database_url: str) -> None:
    async with notifier(database_url) as api:
        replied = RequestReplied(
            request_id=new_id(),
            tracking_no="YSQ-2026-000777",
            unit_code=UNIT,
            outcome="withheld.state_secret",
            replied_on=date(2026, 3, 27),
            on_time=True,
            applicant_contact=ApplicantContact(email="citizen@example.com"),
        )
        replied_event = event(replied)
        await api.deliver(replied_event)
        rows = await api.deliveries(event_id=replied_event.id)
        assert [(r.channel, r.recipient_kind, r.address) for r in rows] == [
            ("email", "applicant", "citizen@example.com")
        ]
        assert "不予公开：属于国家秘密" in rows[0].content["text"]


async def test_grade_failed_and_rectification_overdue_reach_contact_and_leaders(database_url: str) -> None:
    async with notifier(database_url) as api:
        failed = event(
            ScoringGradeFailed(scheme_id="s", year=2026, unit_code=UNIT, total=70.0, veto_reasons=[]), "gongkai/scoring"
        )
        late = event(
            AccountabilityRectificationOverdue(case_id="AC-1", unit_code=UNIT, due_on=date(2026, 3, 20)),
            "gongkai/accountability",
        )
        await api.deliver(failed, late)
        emails = {r.address for r in await api.deliveries(event_id=failed.id, channel="email")}
        assert emails == {"wang@czj.gov.cn", "zhao@czj.gov.cn", "li@czj.gov.cn"}
        leaders = [r.address for r in await api.deliveries(event_id=late.id, channel="sms")]
        assert sorted(leaders) == ["13800000002", "13800000003"]  # the leaders, not the contact
        [inbox] = await api.deliveries(event_id=late.id, channel="inbox")
        assert "约谈" in inbox.content["body"]


async def test_subscribers_hear_of_new_applications_in_their_inbox(database_url: str) -> None:
    async with notifier(database_url) as api:
        clerk = api.auth("handler", units=(UNIT,), sub="clerk-1")
        response = await api.client.post("/api/v1/subscriptions", json={"unit_code": UNIT}, headers=clerk)
        assert response.status_code == 201, response.text
        registered = event(
            RequestRegistered(
                request_id=new_id(),
                tracking_no="YSQ-2026-000900",
                unit_code=UNIT,
                channel="online",
                applicant_type="natural_person",
                received_on=date(2026, 3, 31),
                due_on=date(2026, 4, 29),
            )
        )
        await api.deliver(registered)
        page = (await api.client.get("/api/v1/inbox", headers=clerk)).json()
        mine = [m for m in page["items"] if m["event_type"] == "request.registered"]
        assert [(m["inbox"], m["title"]) for m in mine] == [("user:clerk-1", "新收政府信息公开申请 YSQ-2026-000900")]


async def test_digest_lists_overdue_then_due_soon_once_a_working_day_and_replaces_due_soon_mail(
    database_url: str,
) -> None:
    from shared.events import RequestDueSoon

    async with notifier(database_url) as api:
        soon = event(
            RequestDueSoon(
                request_id="r-soon",
                tracking_no="YSQ-2026-000002",
                unit_code=UNIT,
                due_on=date(2026, 4, 3),
                working_days_left=3,
            )
        )
        late = event(overdue("r-late"))
        await api.deliver(soon, late)
        # request.due_soon goes to the inbox only: its e-mail and SMS are left to the digest.
        assert {r.channel for r in await api.deliveries(event_id=soon.id)} == {"inbox"}

        sunday = api.ctx.clock.now().replace(day=29)  # 2026-03-29, a Sunday, 10:00 local
        assert (await run_digest(api.ctx, sunday)).day is None
        result = await run_digest(api.ctx)  # Tuesday 2026-03-31 10:00, past the 08:00 hour
        assert (result.day, result.units) == (date(2026, 3, 31), 1)
        assert (await run_digest(api.ctx)).day is None  # once a day
        rows = await api.deliveries(event_id=f"digest:{UNIT}:2026-03-31")
        assert sorted((r.channel, r.address) for r in rows) == [("email", "wang@czj.gov.cn"), ("inbox", "U-CZJ")]
        text = next(r for r in rows if r.channel == "email").content["text"]
        assert text.index("YSQ-2026-000123") < text.index("YSQ-2026-000002")  # overdue first
        assert "逾期未答复（1 件）" in text and "即将到期（1 件）" in text
