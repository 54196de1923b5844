"""Delivery: retries with backoff, dead and notification.failed while an endpoint keeps failing,
recovery, the circuit breaker, quiet hours, and the 12345 / provincial status pushes, signed
(DESIGN §9; issue 15 §4–§6) — against real local servers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from shared.db import stored_utc
from shared.events import (
    ApplicantContact,
    CloudEvent,
    RequestExtended,
    RequestOverdue,
    RequestRegistered,
    RequestReplied,
)
from tests.notifier.support import (
    HOTLINE_SECRET,
    PROVINCIAL_SECRET,
    UNIT,
    event,
    http_receiver,
    new_id,
    notifier,
)


def registered(request_id: str, channel: str, source_ref: str | None) -> CloudEvent:
    return event(
        RequestRegistered(
            request_id=request_id,
            tracking_no="YSQ-2026-000500",
            unit_code=UNIT,
            channel=channel,  # type: ignore[arg-type]
            applicant_type="natural_person",
            received_on=date(2026, 3, 2),
            due_on=date(2026, 3, 30),
            source_ref=source_ref,
        )
    )


def replied(request_id: str, source_ref: str | None, *, on_time: bool = True) -> CloudEvent:
    return event(
        RequestReplied(
            request_id=request_id,
            tracking_no="YSQ-2026-000500",
            unit_code=UNIT,
            outcome="partially_disclosed",
            replied_on=date(2026, 3, 27),
            on_time=on_time,
            source_ref=source_ref,
            applicant_contact=ApplicantContact(phone="13700000000"),
        )
    )


async def test_12345_and_provincial_applications_get_their_work_order_status_pushed_signed(database_url: str) -> None:
    async with http_receiver() as outside, notifier(database_url) as api:
        await api.webhook("hotline_12345", outside.url("/push/hotline"), HOTLINE_SECRET)
        await api.webhook("provincial", outside.url("/push/provincial"), PROVINCIAL_SECRET)
        hotline, provincial, online = new_id(), new_id(), new_id()
        await api.deliver(
            registered(hotline, "hotline_12345", "GD20260302000017"),
            registered(provincial, "provincial", "SJ-2026-0042"),
            registered(online, "online", None),
        )
        while await api.dispatch():
            pass
        await api.deliver(replied(hotline, "GD20260302000017", on_time=False), replied(online, None))
        overdue = RequestOverdue(
            request_id=provincial,
            tracking_no="YSQ-2026-000500",
            unit_code=UNIT,
            due_on=date(2026, 3, 30),
            source_ref="SJ-2026-0042",
        )
        await api.deliver(event(overdue))
        while await api.dispatch():
            pass
        assert outside.rejected == []
        assert [(p["workorder_no"], p["status"]) for p in outside.pushes["hotline"]] == [
            ("GD20260302000017", "accepted"),
            ("GD20260302000017", "replied"),
        ]
        reply = outside.pushes["hotline"][1]
        assert reply["reply_summary"] == "部分公开（逾期答复）" and reply["status_label"] == "已答复"
        assert "13700000000" not in str(outside.pushes)  # no applicant data leaves with a push
        assert [(p["workorder_no"], p["status"]) for p in outside.pushes["provincial"]] == [
            ("SJ-2026-0042", "accepted"),
            ("SJ-2026-0042", "overdue"),
        ]
        assert all(h["idempotency-key"] and h["x-gongkai-signature"].startswith("v1=") for h in outside.headers)


async def test_a_failing_endpoint_is_retried_with_backoff_then_dead_and_notification_failed_then_recovers(
    database_url: str,
) -> None:
    async with http_receiver() as outside, notifier(database_url, max_attempts=3) as api:
        outside.status["custom"] = 503
        await api.webhook("custom", outside.url("/push/custom"), HOTLINE_SECRET, ["request.extended"])
        overdue = event(RequestExtended(request_id=new_id(), unit_code=UNIT, due_on=date(2026, 4, 30)))
        await api.deliver(overdue)
        [row] = await api.deliveries(event_id=overdue.id, channel="webhook")
        clock = api.ctx.clock
        delays = []
        for attempt in (1, 2):
            assert await api.dispatch() == 1
            [row] = await api.deliveries(id=row.id)
            assert (row.status, row.attempts, row.response_code) == ("failed", attempt, 503)
            delays.append(stored_utc(row.next_attempt_at) - clock.now())
            assert await api.dispatch() == 0  # not before its time
            clock.advance(seconds=delays[-1].total_seconds())
        assert delays == [timedelta(seconds=10), timedelta(seconds=20)]  # base 10 s × 2^(k−1), no jitter here
        assert await api.dispatch() == 1
        [row] = await api.deliveries(id=row.id)
        assert (row.status, row.attempts) == ("dead", 3)
        assert "503" in row.last_error
        [failed] = await api.outbox("notification.failed")
        assert failed["data"] == {
            "notification_id": row.id,
            "channel": "webhook",
            "recipient": row.recipient,
            "attempts": 3,
            "last_error": row.last_error,
        }
        # The office hears of it in its inbox (the notifier consumes its own notification.failed).
        await api.deliver(CloudEvent.model_validate(failed))
        office = api.auth("office", sub="office-1")
        inbox = (await api.client.get("/api/v1/inbox", headers=office)).json()["items"]
        assert [m["title"] for m in inbox if m["event_type"] == "notification.failed"] == ["通知发送失败（webhook）"]

        # The endpoint comes back; resent by hand, it is delivered.
        outside.status.pop("custom")
        response = await api.client.post(f"/api/v1/notifications/{row.id}/resend", headers=office)
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
        again = await api.client.post(f"/api/v1/notifications/{row.id}/resend", headers=office)
        assert (again.status_code, again.json()["code"]) == (409, "delivery_already_pending")
        assert await api.dispatch() == 1
        [row] = await api.deliveries(id=row.id)
        assert (row.status, row.response_code) == ("sent", 204)
        assert [p["type"] for p in outside.pushes["custom"]] == ["request.extended"]  # the CloudEvent itself


async def test_the_circuit_breaker_opens_postpones_without_spending_attempts_and_closes(database_url: str) -> None:
    async with http_receiver() as outside, notifier(database_url, breaker_failure_threshold=2, max_attempts=10) as api:
        outside.status["custom"] = 500
        endpoint = await api.webhook("custom", outside.url("/push/custom"), HOTLINE_SECRET, ["request.extended"])
        events = [
            event(RequestExtended(request_id=new_id(), unit_code=UNIT, due_on=date(2026, 4, 30))) for _ in range(2)
        ]
        await api.deliver(*events)
        assert await api.dispatch() == 2
        circuit = (await api.client.get(f"/api/v1/webhooks/{endpoint}", headers=api.auth("office"))).json()["circuit"]
        assert (circuit["state"], circuit["consecutive_failures"]) == ("open", 2)

        third = event(RequestExtended(request_id=new_id(), unit_code=UNIT, due_on=date(2026, 4, 30)))
        await api.deliver(third)
        assert await api.dispatch() == 1
        [held] = await api.deliveries(event_id=third.id, channel="webhook")
        assert (held.status, held.attempts) == ("pending", 0)  # postponed, not attempted
        assert stored_utc(held.next_attempt_at) == api.ctx.clock.now() + timedelta(seconds=30)

        outside.status.pop("custom")  # it recovers; after the cool-down one trial goes through
        api.ctx.clock.advance(seconds=30)
        while await api.dispatch():
            pass
        circuit = (await api.client.get(f"/api/v1/webhooks/{endpoint}", headers=api.auth("office"))).json()["circuit"]
        assert (circuit["state"], circuit["consecutive_failures"]) == ("closed", 0)
        [held] = await api.deliveries(event_id=third.id, channel="webhook")
        assert (held.status, held.attempts) == ("sent", 1)


async def test_sms_waits_through_the_quiet_hours(database_url: str) -> None:
    async with http_receiver() as gateway, notifier(database_url, sms_gateway_url=gateway.url("/sms")) as api:
        api.ctx.clock.set(datetime(2026, 3, 31, 15, 30, tzinfo=UTC), frozen=True)  # 23:30 in Shanghai
        overdue = event(
            RequestOverdue(request_id=new_id(), tracking_no="YSQ-9", unit_code=UNIT, due_on=date(2026, 3, 30))
        )
        await api.deliver(overdue)
        sms = await api.deliveries(event_id=overdue.id, channel="sms")
        morning = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # 07:00 on 1 April in Shanghai
        assert {stored_utc(r.next_attempt_at) for r in sms} == {morning}
        await api.dispatch()
        assert gateway.sms == []
        api.ctx.clock.set(morning, frozen=True)
        await api.dispatch()
        assert len(gateway.sms) == 2
        assert {r.status for r in await api.deliveries(event_id=overdue.id, channel="sms")} == {"sent"}


async def test_a_refused_mail_is_dead_at_once(database_url: str) -> None:
    from tests.notifier.support import smtp_server

    with smtp_server() as (mail, port):
        mail.refuse = "550 mailbox unavailable"
        async with notifier(database_url, smtp_port=port) as api:
            overdue = event(
                RequestOverdue(request_id=new_id(), tracking_no="YSQ-8", unit_code=UNIT, due_on=date(2026, 3, 30))
            )
            await api.deliver(overdue)
            await api.dispatch()
            rows = await api.deliveries(event_id=overdue.id, channel="email")
            assert {(r.status, r.attempts, r.response_code) for r in rows} == {("dead", 1, 550)}
            failed = [e["data"]["channel"] for e in await api.outbox("notification.failed")]
            assert failed.count("email") == 2
