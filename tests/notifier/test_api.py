"""The notifier's HTTP API: the inbox (bell), the delivery log, previews, subscriptions, webhooks;
bad input of any shape is a 4xx problem+json with a Chinese title; a broken routing or template
stops the service at startup (issue 15 §1–§4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from services.notifier.app import SPEC
from services.notifier.config import StartupError, build_resources
from shared.app import build_app
from shared.events import RequestOverdue
from tests.foundation import serving
from tests.notifier.support import UNIT, event, new_id, notifier, notifier_settings
from tests.support import make_settings


def overdue() -> Any:
    return event(
        RequestOverdue(
            request_id=new_id(),
            tracking_no="YSQ-2026-000321",
            unit_code=UNIT,
            handler_id="h-1",
            due_on=date(2026, 3, 30),
        )
    )


async def test_inbox_unread_count_mark_read_and_mark_all_read_per_user(database_url: str) -> None:
    async with notifier(database_url) as api:
        await api.deliver(overdue(), overdue())
        clerk = api.auth("handler", units=(UNIT,), sub="h-1")
        other = api.auth("handler", units=(UNIT,), sub="h-2")
        assert (await api.client.get("/api/v1/inbox/unread-count", headers=clerk)).json() == {"unread": 4}
        assert (await api.client.get("/api/v1/inbox/unread-count", headers=other)).json() == {"unread": 2}
        items = (await api.client.get("/api/v1/inbox?limit=1", headers=clerk)).json()
        assert items["next_cursor"] and len(items["items"]) == 1
        first = items["items"][0]
        marked = await api.client.post(f"/api/v1/inbox/{first['id']}/read", headers=clerk)
        assert marked.status_code == 200 and marked.json()["read"] is True
        assert (await api.client.get("/api/v1/inbox/unread-count", headers=clerk)).json() == {"unread": 3}
        # The unit's message read by one clerk is still unread for the next.
        assert (await api.client.get("/api/v1/inbox/unread-count", headers=other)).json() == {"unread": 2}
        assert (await api.client.post("/api/v1/inbox/read-all", headers=clerk)).json() == {"marked": 3}
        assert (await api.client.get("/api/v1/inbox?unread=true", headers=clerk)).json()["items"] == []
        stranger = api.auth("handler", units=("U-OTHER",), sub="h-9")
        assert (await api.client.post(f"/api/v1/inbox/{first['id']}/read", headers=stranger)).status_code == 404


async def test_delivery_log_filters_and_unit_scoping(database_url: str) -> None:
    async with notifier(database_url) as api:
        sent = overdue()
        await api.deliver(sent)
        office = api.auth("office")
        page = (await api.client.get(f"/api/v1/notifications?event_id={sent.id}&channel=email", headers=office)).json()
        assert {i["address"] for i in page["items"]} == {"wang@czj.gov.cn", "office@gov.cn"}
        assert all(i["status"] == "pending" and i["status_label"] == "待发送" for i in page["items"])
        one = (await api.client.get(f"/api/v1/notifications/{page['items'][0]['id']}", headers=office)).json()
        assert one["content"]["subject"].startswith("【逾期未答复】")
        own = api.auth("handler", units=(UNIT,))
        assert len((await api.client.get("/api/v1/notifications", headers=own)).json()["items"]) == 7
        other = api.auth("handler", units=("U-OTHER",))
        assert (await api.client.get("/api/v1/notifications", headers=other)).json()["items"] == []
        inbox_id = next(
            i for i in (await api.client.get("/api/v1/notifications?channel=inbox", headers=office)).json()["items"]
        )["id"]
        refused = await api.client.post(f"/api/v1/notifications/{inbox_id}/resend", headers=office)
        assert (refused.status_code, refused.json()["code"]) == (409, "inbox_not_resendable")


async def test_preview_renders_a_template_against_a_sample_event(database_url: str) -> None:
    async with notifier(database_url) as api:
        office = api.auth("office")
        listed = (await api.client.get("/api/v1/notifications/templates", headers=office)).json()["items"]
        assert {"name": "request.overdue", "channel": "sms", "event_types": ["request.overdue"]} in listed
        url = "/api/v1/notifications/templates/request.overdue/email/preview"
        response = await api.client.post(url, json={"data": {"tracking_no": "<script>"}}, headers=office)
        assert response.status_code == 200, response.text
        content = response.json()["content"]
        assert "<script>" in content["text"] and "&lt;script&gt;" in content["html"]  # autoescaped for HTML only
        sms = (
            await api.client.post(
                "/api/v1/notifications/templates/request.overdue/sms/preview", json={}, headers=office
            )
        ).json()
        assert sms["content"]["segments"] == 1 and sms["content"]["text"].startswith("【政务公开】")


MALFORMED: list[tuple[str, str, Any]] = [
    (
        "post",
        "/api/v1/webhooks",
        {"name": "x", "url": "ftp://x", "secret": "s" * 20, "target": "custom", "event_types": ["request.overdue"]},
    ),
    ("post", "/api/v1/webhooks", {"name": "x", "url": "http://x.cn", "secret": "short", "target": "custom"}),
    ("post", "/api/v1/webhooks", {"name": "x", "url": "http://x.cn", "secret": "s" * 20, "target": "custom"}),
    (
        "post",
        "/api/v1/webhooks",
        {"name": "x", "url": "http://x.cn", "secret": "s" * 20, "target": "custom", "event_types": ["no.such"]},
    ),
    ("post", "/api/v1/webhooks", {"name": "x", "url": "http://x.cn", "secret": "s" * 20, "target": "castle"}),
    ("post", "/api/v1/webhooks", [1, 2]),
    ("post", "/api/v1/subscriptions", {}),
    ("post", "/api/v1/subscriptions", {"event_type": "unit.upserted"}),
    ("post", "/api/v1/subscriptions", {"unit_code": "bad code!"}),
    ("get", "/api/v1/notifications?status=bogus", None),
    ("get", "/api/v1/notifications?cursor=%%%", None),
    ("get", "/api/v1/notifications?created_from=yesterday", None),
    ("get", "/api/v1/notifications/not-a-uuid", None),
    ("get", f"/api/v1/notifications/{'0' * 8}-0000-4000-8000-{'0' * 12}", None),
    ("post", f"/api/v1/notifications/{'0' * 8}-0000-4000-8000-{'0' * 12}/resend", None),
    ("post", "/api/v1/notifications/templates/request.overdue/fax/preview", {}),
    ("post", "/api/v1/notifications/templates/nope/inbox/preview", {}),
    ("post", "/api/v1/notifications/templates/request.overdue/inbox/preview", {"data": "x"}),
    ("post", "/api/v1/inbox/xyz/read", None),
]


async def test_malformed_input_is_a_4xx_problem(database_url: str) -> None:
    async with notifier(database_url) as api:
        headers = api.auth("office", units=(UNIT,))
        for method, path, body in MALFORMED:
            kwargs = {"json": body} if body is not None else {}
            response = await getattr(api.client, method)(path, headers=headers, **kwargs)
            assert 400 <= response.status_code < 500, (path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json"), path
            assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["title"]), path
        raw = await api.client.post("/api/v1/subscriptions", content=b"{not json", headers=headers)
        assert 400 <= raw.status_code < 500 and raw.headers["content-type"].startswith("application/problem+json")


async def test_webhooks_need_the_office_and_hide_their_secret(database_url: str) -> None:
    async with notifier(database_url) as api:
        body = {"name": "12345", "url": "http://127.0.0.1:9/x", "secret": "s" * 20, "target": "hotline_12345"}
        assert (
            await api.client.post("/api/v1/webhooks", json=body, headers=api.auth("handler", units=(UNIT,)))
        ).status_code == 403
        created = await api.client.post("/api/v1/webhooks", json=body, headers=api.auth("office"))
        assert created.status_code == 201 and "secret" not in created.json()
        url = f"/api/v1/webhooks/{created.json()['id']}"
        stale = await api.client.patch(url, json={"active": False}, headers={**api.auth("office"), "If-Match": '"9"'})
        assert stale.status_code == 412
        patched = await api.client.patch(url, json={"active": False}, headers={**api.auth("office"), "If-Match": '"1"'})
        assert patched.json()["active"] is False and patched.headers["ETag"] == '"2"'


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"templates/request.overdue/inbox.j2": "{% block title %}{{ data.tracking_no }{% endblock %}"},
            "request.overdue/inbox.j2",
        ),
        (
            {
                "templates/request.overdue/inbox.j2": "{% block title %}{{ data.nope }}{% endblock %}{% block body %}x{% endblock %}"
            },
            "nope",
        ),
        ({"templates/request.overdue/sms.j2": "no blocks at all"}, "text"),
        (
            {
                "routing.yaml": "routes:\n  request.overdue:\n    - to: [handler]\n      channels: [inbox]\n      template: missing.one\n"
            },
            "missing.one",
        ),
        ({"routing.yaml": "routes:\n  request.teleported: []\n"}, "request.teleported"),
    ],
)
async def test_a_broken_template_or_routing_is_refused_at_startup(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for relative, text in files.items():
        _write(tmp_path, relative, text)
    own = notifier_settings(
        template_dir=tmp_path / "templates",
        routing_file=tmp_path / "routing.yaml" if "routing.yaml" in files else None,
    )
    with pytest.raises(StartupError, match=message.replace(".", r"\.")):
        build_resources(make_settings(), own)
    spec = replace(SPEC, resources=partial(build_resources, own=own))
    app = build_app([spec], make_settings(notifier_database_url=f"sqlite+aiosqlite:///{tmp_path / 'n.sqlite3'}"))
    with pytest.raises(StartupError):
        async with serving(app):
            pass
