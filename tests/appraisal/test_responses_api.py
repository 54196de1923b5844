"""Responses through the API (DESIGN §7, issue 13 §3): one per respondent per unit, the answering
window, panel members only with their token, the rate limit across two app instances, free text
stored as written and shown safely, malformed input of any shape a 4xx problem — on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.appraisal.models import responses
from shared.db import is_sqlite_url
from tests.appraisal.support import AFTER, BEFORE, CAMPAIGNS, DURING, all_rated, api, assert_problem, token


async def test_duplicate_respondent_refused(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await a.opened()
        first = await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(1))
        assert first.status_code == 201, first.text
        assert first.json()["unit_code"] == "EDU" and first.json()["method"] == "public"
        again = await a.answer(campaign, "EDU", all_rated("unsatisfied"), token=token(1))
        assert_problem(again, 409, "response_duplicate")
        # The same respondent about another unit, another respondent about the same unit: fine.
        assert (await a.answer(campaign, "HEALTH", all_rated("satisfied"), token=token(1))).status_code == 201
        assert (await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(2))).status_code == 201
        # The token may come as a header or a cookie too; the same token is the same respondent.
        by_header = await a.client.post(
            f"{CAMPAIGNS}/{campaign['id']}/responses",
            json={"unit_code": "WATER", "answers": all_rated("satisfied")},
            headers={"X-Respondent-Token": token(1)},
        )
        assert by_header.status_code == 201, by_header.text
        a.client.cookies.set("gk_respondent", token(1))
        by_cookie = await a.client.post(
            f"{CAMPAIGNS}/{campaign['id']}/responses", json={"unit_code": "WATER", "answers": all_rated("satisfied")}
        )
        a.client.cookies.clear()
        assert_problem(by_cookie, 409, "response_duplicate")
        # Only the keyed hash is stored, never the token.
        async with a.runtime.sessions() as session:
            hashes = (await session.scalars(select(responses.c.respondent_hash))).all()
        assert len(hashes) == 4 and all(len(h) == 64 and token(1) not in h for h in hashes)
        # No token at all: refused with a reason.
        none = await a.client.post(
            f"{CAMPAIGNS}/{campaign['id']}/responses", json={"unit_code": "EDU", "answers": all_rated("satisfied")}
        )
        assert_problem(none, 422, "respondent_token_required")


async def test_idempotency_key_replays_the_answer(database_url: str) -> None:
    """With an Idempotency-Key the answer is written in the request's transaction beside the key
    (not by the public intake's own statement), so a retry gets the stored 201 back."""
    async with api(database_url) as a:
        campaign = await a.opened()
        body = {"unit_code": "EDU", "answers": all_rated("satisfied"), "respondent_token": token(1)}
        url = f"{CAMPAIGNS}/{campaign['id']}/responses"
        first = await a.client.post(url, json=body, headers={"Idempotency-Key": "answer-1"})
        again = await a.client.post(url, json=body, headers={"Idempotency-Key": "answer-1"})
        assert first.status_code == again.status_code == 201, again.text
        assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
        assert_problem(await a.client.post(url, json=body), 409, "response_duplicate")


async def test_answering_window_enforced(database_url: str) -> None:
    async with api(database_url) as a:
        a.at(BEFORE)
        draft = await a.create()
        # A draft is not even visible to the public.
        assert_problem(await a.answer(draft, "EDU", all_rated("satisfied"), token=token(1)), 404, "not_found")
        campaign = await a.transition(draft, "open")
        # Open, but before opens_at (2025-11-01 09:00 Beijing).
        a.at(datetime(2025, 11, 1, 8, 59))
        assert_problem(
            await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(1)), 409, "campaign_not_started"
        )
        a.at(datetime(2025, 11, 1, 9, 0))
        assert (await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(1))).status_code == 201
        # closes_at 2025-12-01 00:00 is outside the window even before the sweep closes it.
        a.at(datetime(2025, 12, 1, 0, 0))
        assert_problem(
            await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(2)), 409, "campaign_not_open"
        )
        a.at(AFTER)
        await a.transition(campaign, "close")
        assert_problem(
            await a.answer(campaign, "EDU", all_rated("satisfied"), token=token(3)), 409, "campaign_not_open"
        )


async def test_closing_counts_every_response_it_accepted(database_url: str) -> None:
    """Answers in flight while the office closes: each is either counted (201) or refused as too
    late (409) — none is stored after the count (the campaign row is locked FOR KEY SHARE by an
    answer, FOR UPDATE by closing)."""
    if is_sqlite_url(database_url):
        pytest.skip("SQLite has a single writer")
    async with api(database_url) as a:
        campaign = await a.opened()
        replies = await asyncio.gather(
            *(a.answer(campaign, "EDU", all_rated("satisfied"), token=token(n)) for n in range(25)),
            a.transition(campaign, "close"),
            *(a.answer(campaign, "EDU", all_rated("satisfied"), token=token(n)) for n in range(25, 50)),
        )
        answers = [r for r in replies if isinstance(r, httpx.Response)]
        accepted = sum(r.status_code == 201 for r in answers)
        assert all(r.status_code == 201 or r.json()["code"] == "campaign_not_open" for r in answers)
        result = await a.client.get(f"{CAMPAIGNS}/{campaign['id']}/results/EDU", headers=a.office)
        assert result.json()["items"][0]["responses"] == accepted
        async with a.runtime.sessions() as session:
            stored = (await session.scalars(select(func.count()).select_from(responses))).one()
        assert stored == accepted


async def test_close_sweep_closes_campaigns_whose_time_passed(database_url: str) -> None:
    from services.appraisal.service.sweeps import close_sweep

    async with api(database_url) as a:
        campaign = await a.opened()
        assert await close_sweep(a.runtime) == []
        a.at(AFTER)
        assert await close_sweep(a.runtime) == [campaign["id"]]
        assert await close_sweep(a.runtime) == []
        state = await a.client.get(f"{CAMPAIGNS}/{campaign['id']}", headers=a.office)
        assert state.json()["state"] == "closed"


async def test_panel_members_answer_with_their_token(database_url: str) -> None:
    async with api(database_url) as a:
        methods = [{"method": "public", "weight": "0.5"}, {"method": "representative", "weight": "0.5"}]
        campaign = await a.opened(methods=methods)
        cid = campaign["id"]
        put = await a.client.put(
            f"{CAMPAIGNS}/{cid}/panel/npc-7",
            json={"method": "representative", "name": "李代表", "category": "npc_deputy"},
            headers=a.office,
        )
        assert put.status_code == 200, put.text
        body: dict[str, Any] = {"unit_code": "EDU", "method": "representative", "answers": all_rated("satisfied")}
        assert_problem(await a.client.post(f"{CAMPAIGNS}/{cid}/responses", json=body), 401, "unauthorized")
        stranger = a.auth("applicant", sub="someone-else")
        assert_problem(
            await a.client.post(f"{CAMPAIGNS}/{cid}/responses", json=body, headers=stranger), 403, "forbidden"
        )
        member = a.auth("applicant", sub="npc-7")
        assert (await a.client.post(f"{CAMPAIGNS}/{cid}/responses", json=body, headers=member)).status_code == 201
        assert_problem(
            await a.client.post(f"{CAMPAIGNS}/{cid}/responses", json=body, headers=member), 409, "response_duplicate"
        )
        # A method the campaign does not have.
        put = await a.client.put(
            f"{CAMPAIGNS}/{cid}/panel/sup-1", json={"method": "supervisor", "name": "王监督员"}, headers=a.office
        )
        assert_problem(put, 422, "panel_method_invalid")


async def test_free_text_with_markup_and_control_characters(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await a.opened()
        markup = '<script>alert("x")</script> & <b>粗体</b>\r\n第二行'
        stored = await a.answer(campaign, "EDU", all_rated("unsatisfied", text=markup), token=token(1))
        assert stored.status_code == 201, stored.text
        async with a.runtime.sessions() as session:
            texts = (await session.scalars(select(responses.c.texts))).all()
        # As written, with the browser's CRLF made LF.
        assert texts == [{"q7": '<script>alert("x")</script> & <b>粗体</b>\n第二行'}]
        # A NUL never gets past the shared JSON guard (400 invalid_characters); other controls are the rule's.
        nul = await a.answer(campaign, "HEALTH", all_rated("satisfied", text="问题\x00截断"), token=token(2))
        assert_problem(nul, 400, "invalid_characters")
        for bad in ("终端\x1b[31m", "C1\x85", "退格\x08"):
            refused = await a.answer(campaign, "HEALTH", all_rated("satisfied", text=bad), token=token(2))
            body = assert_problem(refused, 422, "response_invalid")
            assert body["errors"][0]["question"] == "q7"
            assert body["errors"][0]["code"] == "free_text_control_character"
        # Shown safely: on the results page of the office (JSON) and never as markup on the public page.
        a.at(AFTER)
        await a.transition(campaign, "close")
        results = await a.client.get(f"{CAMPAIGNS}/{campaign['id']}/results/EDU", headers=a.office)
        assert results.json()["items"][0]["problems"][0]["text"] == '<script>alert("x")</script> & <b>粗体</b>\n第二行'
        assert results.headers["content-type"] == "application/json"


async def test_rate_limit_holds_across_two_app_instances(database_url: str) -> None:
    limit = {"GONGKAI_APPRAISAL_RATE_LIMIT_PER_MINUTE": "5"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in limit.items():
            patch.setenv(key, value)
        from services.appraisal.config import get_appraisal_settings

        get_appraisal_settings.cache_clear()
        try:
            async with api(database_url) as one, api(database_url) as two:
                campaign = await one.opened()
                two.at(DURING)
                statuses = []
                for n in range(8):
                    instance = (one, two)[n % 2]
                    reply = await instance.answer(campaign, "EDU", all_rated("satisfied"), token=token(n))
                    statuses.append(reply.status_code)
                    if reply.status_code == 429:
                        assert_problem(reply, 429, "rate_limited")
                        assert 1 <= int(reply.headers["Retry-After"]) <= 60
                # Five per minute per address, counted in the database both instances share.
                assert statuses == [201] * 5 + [429] * 3
                # The next minute starts a new window.
                one.at(datetime(2025, 11, 10, 10, 1))
                two.at(datetime(2025, 11, 10, 10, 1))
                assert (await two.answer(campaign, "EDU", all_rated("satisfied"), token=token(99))).status_code == 201
        finally:
            get_appraisal_settings.cache_clear()


MALFORMED: list[tuple[Any, int, str]] = [
    ("not json", 400, "malformed_json"),
    ([], 422, "validation_failed"),
    ({"unit_code": "EDU"}, 422, "validation_failed"),
    ({"unit_code": "EDU", "answers": {"q1": {"x": 1}}, "respondent_token": token(1)}, 422, "validation_failed"),
    ({"unit_code": "../x", "answers": {}, "respondent_token": token(1)}, 422, "validation_failed"),
    (
        {"unit_code": "NOPE", "answers": all_rated("satisfied"), "respondent_token": token(1)},
        422,
        "response_unit_not_targeted",
    ),
    ({"unit_code": "EDU", "answers": {"q1": "great"}, "respondent_token": token(1)}, 422, "response_invalid"),
    (
        {"unit_code": "EDU", "answers": all_rated("satisfied"), "respondent_token": "short"},
        422,
        "respondent_token_invalid",
    ),
    (
        {
            "unit_code": "EDU",
            "method": "third_party",
            "answers": all_rated("satisfied"),
            "respondent_token": token(1),
        },
        422,
        "response_method_invalid",
    ),
    (
        {"unit_code": "EDU", "answers": all_rated("satisfied"), "respondent_token": token(1), "extra": 1},
        422,
        "validation_failed",
    ),
]


async def test_malformed_responses_are_4xx_problems(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await a.opened()
        url = f"{CAMPAIGNS}/{campaign['id']}/responses"
        for body, status, code in MALFORMED:
            if isinstance(body, str):
                reply = await a.client.post(url, content=body, headers={"Content-Type": "application/json"})
            else:
                reply = await a.client.post(url, json=body)
            assert_problem(reply, status, code)
        wrong_type = await a.client.post(url, content=b"unit_code", headers={"Content-Type": "text/plain"})
        assert_problem(wrong_type, 415, "unsupported_media_type")
        assert_problem(
            await a.client.post(f"{CAMPAIGNS}/not-a-campaign/responses", json={"unit_code": "EDU", "answers": {}}),
            422,
            "validation_failed",
        )
        unknown = "00000000-0000-0000-0000-000000000000"
        assert_problem(
            await a.client.post(
                f"{CAMPAIGNS}/{unknown}/responses",
                json={"unit_code": "EDU", "answers": all_rated("satisfied"), "respondent_token": token(1)},
            ),
            404,
            "not_found",
        )
