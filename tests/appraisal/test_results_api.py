"""Results through the API (社会评议办法 第六条(三)–(五), 第八条, 第九条): a campaign with every method,
the weighted results checked by hand, ``insufficient`` below the minimum, problems gathered and
edited, publication emitting its events once, the .xlsx, the public summary, rectification reports
— on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from tests.appraisal.support import AFTER, CAMPAIGNS, Api, api, assert_problem, token

QUESTIONS = [
    {"code": "q1", "kind": "rating", "text": "公开内容是否及时准确", "weight": "2"},
    {"code": "q2", "kind": "rating", "text": "公开渠道是否便捷有效", "weight": "1"},
    {"code": "q3", "kind": "free_text", "text": "发现的问题和意见建议", "required": False, "collects_problems": True},
]
METHODS = [
    {"method": "public", "weight": "0.4"},
    {"method": "representative", "weight": "0.3"},
    {"method": "third_party", "weight": "0.2"},
    {"method": "supervisor", "weight": "0.1"},
]


async def every_method_campaign(a: Api) -> dict[str, Any]:
    campaign = await a.opened(questions=QUESTIONS, methods=METHODS, min_responses=3)
    cid = campaign["id"]
    for sub, method in (("rep-1", "representative"), ("sup-1", "supervisor")):
        put = await a.client.put(
            f"{CAMPAIGNS}/{cid}/panel/{sub}", json={"method": method, "name": "张代表"}, headers=a.office
        )
        assert put.status_code == 200, put.text
    # EDU — public: (满意, 不满意) and (基本满意, 满意); representative (满意, 满意); supervisor (不满意, 基本满意).
    public = [({"q1": "satisfied", "q2": "unsatisfied"}), ({"q1": "basically_satisfied", "q2": "satisfied"})]
    for n, answers in enumerate(public):
        assert (await a.answer(campaign, "EDU", answers, token=token(n))).status_code == 201
    rep = await a.client.post(
        f"{CAMPAIGNS}/{cid}/responses",
        json={"unit_code": "EDU", "method": "representative", "answers": {"q1": "satisfied", "q2": "satisfied"}},
        headers=a.auth("applicant", sub="rep-1"),
    )
    assert rep.status_code == 201, rep.text
    sup = await a.client.post(
        f"{CAMPAIGNS}/{cid}/responses",
        json={
            "unit_code": "EDU",
            "method": "supervisor",
            "answers": {"q1": "unsatisfied", "q2": "basically_satisfied", "q3": "窗口人员不熟悉公开目录"},
        },
        headers=a.auth("applicant", sub="sup-1"),
    )
    assert sup.status_code == 201, sup.text
    # HEALTH — one public response: under the minimum of 3.
    assert (
        await a.answer(campaign, "HEALTH", {"q1": "satisfied", "q2": "satisfied"}, token=token(10))
    ).status_code == 201
    # WATER — three public 不满意, the same problem written three ways.
    for n, text in enumerate(["办事指南没有更新", "办事指南没有更新。", " 办事指南 没有更新 "]):
        answers = {"q1": "unsatisfied", "q2": "unsatisfied", "q3": text}
        assert (await a.answer(campaign, "WATER", answers, token=token(20 + n))).status_code == 201
    csv = "单位代码,分数,评估意见\nEDU,85.5,\nHEALTH,40,\nWATER,30,网站栏目长期不更新\n".encode()
    imported = await a.client.post(
        f"{CAMPAIGNS}/{cid}/third-party-scores", files={"file": ("scores.csv", csv, "text/csv")}, headers=a.office
    )
    assert imported.status_code == 200 and imported.json()["imported"] == 3, imported.text
    a.at(AFTER)
    return await a.transition(campaign, "close")


async def test_weighted_results_of_a_campaign_with_every_method(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await every_method_campaign(a)
        assert campaign["state"] == "closed"
        results = await a.client.get(f"{CAMPAIGNS}/{campaign['id']}/results", headers=a.office)
        assert results.status_code == 200, results.text
        by_unit = {r["unit_code"]: r for r in results.json()["items"]}

        edu = by_unit["EDU"]
        methods = {m["method"]: m for m in edu["methods"]}
        # public: q1 (100+60)/2 = 80, q2 (0+100)/2 = 50 → (2×80 + 1×50)/3 = 70; 3 of 4 answers satisfied or basically.
        assert methods["public"]["score"] == "70.00"
        assert methods["public"]["counts"] == {"satisfied": 2, "basically_satisfied": 1, "unsatisfied": 1}
        assert methods["public"]["satisfaction_rate"] == "0.7500"
        assert methods["representative"]["score"] == "100.00"
        # supervisor: (2×0 + 1×60)/3 = 20
        assert methods["supervisor"]["score"] == "20.00"
        assert methods["third_party"]["score"] == "85.50" and methods["third_party"]["counts"] is None
        # 0.4×70 + 0.3×100 + 0.2×85.5 + 0.1×20 = 28 + 30 + 17.1 + 2 = 77.10 → 基本满意 (60 ≤ 77.10 < 80)
        assert (edu["status"], edu["score"], edu["rating"], edu["responses"]) == (
            "rated",
            "77.10",
            "basically_satisfied",
            4,
        )
        assert edu["unit_name"] == "市教育局"
        assert [p["text"] for p in edu["problems"]] == ["窗口人员不熟悉公开目录"]

        health = by_unit["HEALTH"]
        assert (health["status"], health["score"], health["rating"], health["responses"]) == (
            "insufficient",
            None,
            None,
            1,
        )

        water = by_unit["WATER"]
        # public 0 and third party 30, weights 0.4 and 0.2 rescaled: (0.4×0 + 0.2×30)/0.6 = 10 → 不满意
        assert (water["status"], water["score"], water["rating"]) == ("rated", "10.00", "unsatisfied")
        assert water["effective_weights"] == {"public": "0.6667", "third_party": "0.3333"}
        assert [(p["text"], p["mentions"]) for p in water["problems"]] == [
            ("办事指南没有更新", 3),
            ("网站栏目长期不更新", 1),
        ]


async def test_publication_emits_each_event_once_and_units_read_their_own(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await every_method_campaign(a)
        cid = campaign["id"]
        # The office edits WATER's problems before publication: merges them into one, adds one.
        water = (await a.client.get(f"{CAMPAIGNS}/{cid}/results/WATER", headers=a.office)).json()["items"][0]
        first = water["problems"][0]
        edited = await a.client.put(
            f"{CAMPAIGNS}/{cid}/results/WATER/problems",
            json={
                "problems": [{"id": first["id"], "text": "办事指南和网站栏目未及时更新"}, {"text": "未设政务公开专区"}]
            },
            headers=a.office,
        )
        assert edited.status_code == 200, edited.text
        assert [p["text"] for p in edited.json()] == ["办事指南和网站栏目未及时更新", "未设政务公开专区"]
        assert edited.json()[0]["id"] == first["id"]
        # Not yet published: the unit sees nothing, the summary is not public.
        staff = a.auth("handler", units=("WATER",), sub="water-clerk")
        assert_problem(await a.client.get(f"{CAMPAIGNS}/{cid}/results", headers=staff), 404, "not_found")
        assert_problem(await a.client.get(f"{CAMPAIGNS}/{cid}/summary"), 404, "not_found")

        published = await a.transition(campaign, "publish")
        assert published["state"] == "published"
        results = await a.events("appraisal.result_published")
        assert sorted((e["data"]["unit_code"], e["data"]["score"], e["data"]["rating"]) for e in results) == [
            ("EDU", 77.1, "basically_satisfied"),
            ("WATER", 10.0, "unsatisfied"),
        ]
        assert all(e["data"]["campaign_id"] == cid and e["data"]["year"] == 2025 for e in results)
        unsatisfied = await a.events("appraisal.unit_unsatisfied")
        assert [(e["data"]["unit_code"], e["data"]["problems"]) for e in unsatisfied] == [
            ("WATER", ["办事指南和网站栏目未及时更新", "未设政务公开专区"])
        ]

        # Publishing again, with or without a current ETag: nothing changes, no event.
        again = await a.client.post(f"{CAMPAIGNS}/{cid}/publish", headers={**a.office, "If-Match": '"1"'})
        assert again.status_code == 200 and again.json()["version"] == published["version"]
        assert len(await a.events("appraisal.result_published")) == 2
        assert len(await a.events("appraisal.unit_unsatisfied")) == 1
        # Edits after publication are refused.
        assert_problem(
            await a.client.put(f"{CAMPAIGNS}/{cid}/results/WATER/problems", json={"problems": []}, headers=a.office),
            409,
            "problems_locked",
        )

        # The unit reads its own result only, and reports its rectification against each problem (第九条).
        own = await a.client.get(f"{CAMPAIGNS}/{cid}/results", headers=staff)
        assert [r["unit_code"] for r in own.json()["items"]] == ["WATER"]
        assert_problem(await a.client.get(f"{CAMPAIGNS}/{cid}/results/EDU", headers=staff), 404, "not_found")
        problem = own.json()["items"][0]["problems"][0]
        report = await a.client.put(
            f"{CAMPAIGNS}/{cid}/problems/{problem['id']}/rectification",
            json={"report": "已更新全部办事指南，网站栏目每周检查"},
            headers=staff,
        )
        assert report.status_code == 200, report.text
        assert report.json()["rectification"] == "已更新全部办事指南，网站栏目每周检查"
        other = a.auth("handler", units=("EDU",), sub="edu-clerk")
        assert_problem(
            await a.client.put(
                f"{CAMPAIGNS}/{cid}/problems/{problem['id']}/rectification", json={"report": "x"}, headers=other
            ),
            404,
            "not_found",
        )

        # The public summary for the annual report (第八条).
        summary = await a.client.get(f"{CAMPAIGNS}/{cid}/summary")
        assert summary.status_code == 200, summary.text
        body = summary.json()
        assert (body["responses"], body["units_rated"], body["units_insufficient"]) == (8, 2, 1)
        assert body["ratings"] == {"satisfied": 0, "basically_satisfied": 1, "unsatisfied": 1}
        assert [(u["unit_code"], u["rating_label"], u["problems"]) for u in body["units"]] == [
            ("EDU", "基本满意", 1),
            ("HEALTH", None, 0),
            ("WATER", "不满意", 2),
        ]


async def test_results_as_xlsx(database_url: str) -> None:
    async with api(database_url) as a:
        campaign = await every_method_campaign(a)
        cid = campaign["id"]
        await a.client.put(
            f"{CAMPAIGNS}/{cid}/results/EDU/problems",
            json={"problems": [{"text": '=HYPERLINK("http://evil")'}]},
            headers=a.office,
        )
        exported = await a.client.get(f"{CAMPAIGNS}/{cid}/results.xlsx", headers=a.office)
        assert exported.status_code == 200, exported.text
        book = load_workbook(io.BytesIO(exported.content))
        sheet = book["评议结果"]
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        assert [(r[1], r[2], r[5], r[6]) for r in rows] == [
            ("EDU", "市教育局", 77.1, "基本满意"),
            ("HEALTH", "市卫生健康委员会", None, None),
            ("WATER", "市自来水公司", 10.0, "不满意"),
        ]
        problems = book["问题清单"]
        cells = [c for c in problems.iter_rows(min_row=2) if c[0].value == "EDU"]
        assert cells[0][3].value == '=HYPERLINK("http://evil")' and cells[0][3].data_type == "s"
        # A unit's staff cannot export before publication.
        assert_problem(
            await a.client.get(f"{CAMPAIGNS}/{cid}/results.xlsx", headers=a.auth("handler", units=("EDU",))),
            404,
            "not_found",
        )


async def test_third_party_import_is_all_rows_or_none_from_xlsx(database_url: str) -> None:
    from openpyxl import Workbook

    def xlsx(rows: list[tuple[object, ...]]) -> bytes:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [("单位代码", "分数", "评估意见"), *rows]:
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    async with api(database_url) as a:
        campaign = await a.opened(
            methods=[{"method": "public", "weight": "0.5"}, {"method": "third_party", "weight": "0.5"}]
        )
        url = f"{CAMPAIGNS}/{campaign['id']}/third-party-scores"
        bad = xlsx([("EDU", 87.5, "较好"), ("NOPE", 50, None), ("HEALTH", 101, None), ("WATER", "八十", None)])
        refused = await a.client.post(url, files={"file": ("scores.xlsx", bad)}, headers=a.office)
        body = assert_problem(refused, 422, "third_party_scores_invalid")
        assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "unit_code"), (4, "score"), (5, "score")]
        good = xlsx([("EDU", 87.5, "较好"), ("WATER", 60, None)])
        imported = await a.client.post(url, files={"file": ("scores.xlsx", good)}, headers=a.office)
        assert imported.status_code == 200, imported.text
        assert [(i["unit_code"], i["score"]) for i in imported.json()["items"]] == [
            ("EDU", "87.5"),
            ("WATER", "60"),
        ]
        garbage = await a.client.post(url, files={"file": ("scores.xlsx", b"PK\x03\x04broken")}, headers=a.office)
        assert_problem(garbage, 422, "import_file_invalid")
