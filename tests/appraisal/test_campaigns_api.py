"""Campaigns through the API (社会评议办法 第六条(一)(二)): the definition and its checks, the default
questionnaire of 第五条, states, editing refused once open, who sees drafts — SQLite and PostgreSQL."""

from __future__ import annotations

from tests.appraisal.support import AFTER, BEFORE, CAMPAIGNS, api, assert_problem, campaign_body


async def test_campaign_life_cycle_and_the_default_questionnaire(database_url: str) -> None:
    async with api(database_url) as a:
        a.at(BEFORE)
        created = await a.client.post(CAMPAIGNS, json=campaign_body(), headers=a.office)
        assert created.status_code == 201, created.text
        campaign = created.json()
        assert created.headers["ETag"] == '"1"' and created.headers["Location"].endswith(campaign["id"])
        assert campaign["state"] == "draft" and [x["action"] for x in campaign["allowed_actions"]] == ["open"]
        assert campaign["allowed_actions"][0]["href"] == f"{CAMPAIGNS}/{campaign['id']}/open"
        # 第五条 (一)–(六) as rating questions, (七) as the optional free text gathering problems.
        questions = campaign["questions"]
        assert [q["kind"] for q in questions] == ["rating"] * 6 + ["free_text"]
        assert questions[0]["text"] == "是否指定机构、人员负责政务公开日常工作"
        assert questions[6]["collects_problems"] and not questions[6]["required"]
        assert campaign["conversion"] == {"satisfied": "100", "basically_satisfied": "60", "unsatisfied": "0"}
        assert campaign["public_path"] == f"/appraisal/{campaign['id']}"
        # Drafts: the office sees them, the public does not.
        assert (await a.client.get(f"{CAMPAIGNS}/{campaign['id']}")).status_code == 404
        listed = await a.client.get(CAMPAIGNS, params={"year": 2025}, headers=a.office)
        assert [c["id"] for c in listed.json()["items"]] == [campaign["id"]]
        assert (await a.client.get(CAMPAIGNS)).json()["items"] == []

        # Editing a draft changes anything; the ETag guards it.
        stale = await a.client.patch(
            f"{CAMPAIGNS}/{campaign['id']}", json={"min_responses": 50}, headers={**a.office, "If-Match": '"9"'}
        )
        assert_problem(stale, 412, "precondition_failed")
        edited = await a.client.patch(
            f"{CAMPAIGNS}/{campaign['id']}", json={"min_responses": 50}, headers={**a.office, "If-Match": '"1"'}
        )
        assert edited.status_code == 200 and edited.json()["min_responses"] == 50 and edited.json()["version"] == 2

        # Transitions need If-Match.
        assert_problem(
            await a.client.post(f"{CAMPAIGNS}/{campaign['id']}/open", headers=a.office), 428, "precondition_required"
        )
        opened = await a.transition(campaign, "open")
        assert opened["state"] == "open" and (await a.client.get(f"{CAMPAIGNS}/{campaign['id']}")).status_code == 200

        # Editing the questions (or weights, units …) after opening: 409; the name and closing time still may.
        etag = f'"{opened["version"]}"'
        locked = await a.client.patch(
            f"{CAMPAIGNS}/{campaign['id']}",
            json={"questions": [{"code": "q1", "kind": "rating", "text": "新问题"}]},
            headers={**a.office, "If-Match": etag},
        )
        body = assert_problem(locked, 409, "campaign_locked")
        assert body["fields"] == ["questionnaire"]
        renamed = await a.client.patch(
            f"{CAMPAIGNS}/{campaign['id']}",
            json={"name": "2025年度社会评议（延期）", "closes_at": "2025-12-05T00:00:00+08:00"},
            headers={**a.office, "If-Match": etag},
        )
        assert renamed.status_code == 200, renamed.text
        # Publishing before closing is not a legal transition.
        publish = await a.client.post(
            f"{CAMPAIGNS}/{campaign['id']}/publish", headers={**a.office, "If-Match": f'"{renamed.json()["version"]}"'}
        )
        assert_problem(publish, 409, "illegal_transition")
        a.at(AFTER)
        closed = await a.transition(campaign, "close")
        assert closed["state"] == "closed" and [x["action"] for x in closed["allowed_actions"]] == ["publish"]
        assert_problem(
            await a.client.patch(f"{CAMPAIGNS}/{campaign['id']}", json={"name": "x"}, headers=a.office),
            409,
            "campaign_locked",
        )


async def test_campaign_definitions_no_campaign_could_run_on_are_refused(database_url: str) -> None:
    async with api(database_url) as a:
        cases = [
            (
                {"methods": [{"method": "public", "weight": "0.5"}, {"method": "third_party", "weight": "0.4"}]},
                422,
                "method_weights_not_one",
            ),
            ({"target_units": ["EDU", "NOPE"]}, 422, "target_unit_unknown"),
            ({"target_units": ["EDU", "EDU"]}, 422, "target_unit_duplicated"),
            ({"closes_at": "2025-10-01T00:00:00+08:00"}, 422, "campaign_window_invalid"),
            ({"opens_at": "2025-11-01T09:00:00"}, 422, "validation_failed"),
            ({"conversion": {"satisfied": 50, "basically_satisfied": 60, "unsatisfied": 0}}, 422, "conversion_invalid"),
            (
                {"questions": [{"code": "q1", "kind": "single_choice", "text": "渠道", "choices": []}]},
                422,
                "question_choices_invalid",
            ),
            ({"questions": [{"code": "Q 1", "kind": "rating", "text": "x"}]}, 422, "question_code_invalid"),
            ({"methods": [{"method": "oracle", "weight": "1"}]}, 422, "validation_failed"),
            ({"year": "二〇二五"}, 422, "validation_failed"),
        ]
        for overrides, status, code in cases:
            reply = await a.client.post(CAMPAIGNS, json=campaign_body(**overrides), headers=a.office)
            assert_problem(reply, status, code)
        assert_problem(await a.client.post(CAMPAIGNS, json=campaign_body()), 401, "unauthorized")
        assert_problem(
            await a.client.post(CAMPAIGNS, json=campaign_body(), headers=a.auth("handler", units=("EDU",))),
            403,
            "forbidden",
        )
        # Opening without target units.
        a.at(BEFORE)
        empty = await a.create(target_units=[])
        reply = await a.client.post(f"{CAMPAIGNS}/{empty['id']}/open", headers={**a.office, "If-Match": '"1"'})
        assert_problem(reply, 409, "target_units_required")
        assert_problem(await a.client.get(f"{CAMPAIGNS}/not-an-id", headers=a.office), 422, "validation_failed")
