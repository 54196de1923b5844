"""Seed 003's A table (examples/schemes/district-2023.yaml), scored end to end through the HTTP API,
with events through the service's real inbox (issue 12, "What must be shown by tests")."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.scoring.helpers import Api, api, overdue

# 考核方案 附件2: the A units' findings that put each on a band edge (95/85/75, 考核办法 第九条).
# Every unit gets the open-day bonus (主要负责人参加, 5) and the best 通报检查 measure (0 problems, rank
# 1 → 5 points), so it starts from 100.
FINDINGS: dict[str, list[dict[str, Any]]] = {
    "A02": [{"indicator": "A2.1.2", "occurrences": 2}],  # 98, then vetoed
    "A03": [{"indicator": "A2.1.3", "points": 7}],  # 95 → excellent
    "A04": [{"indicator": "A2.1.3", "points": 6.5}],  # 94.5 → good
    "A05": [{"indicator": "A2.1.3", "points": 0}, {"indicator": "A2.1.2", "occurrences": 3}],  # 85 → good
    "A06": [
        {"indicator": "A2.1.3", "points": 0},
        {"indicator": "A2.1.2", "occurrences": 3},
        {"indicator": "A3.1.1", "occurrences": 1, "method": "evidence"},
    ],  # 84.5 → pass
    "A07": [
        {"indicator": "A2.1.3", "points": 0},
        {"indicator": "A2.1.4", "occurrences": 10},
        {"indicator": "A2.1.2", "occurrences": 3},
    ],  # 75 → pass, with 主动公开 a shortfall (27 of 52 < 60 %)
    "A08": [
        {"indicator": "A2.1.3", "points": 0},
        {"indicator": "A2.1.4", "occurrences": 10},
        {"indicator": "A2.1.2", "occurrences": 3},
        {"indicator": "A3.1.1", "occurrences": 1, "method": "evidence"},
    ],  # 74.5 → fail
}


def leaf(sheet: dict[str, Any], code: str) -> dict[str, Any]:
    def walk(nodes: list[dict[str, Any]]) -> Any:
        for node in nodes:
            if node["code"] == code:
                return node
            found = walk(node["children"])
            if found:
                return found
        return None

    return walk(sheet["indicators"])


async def score_a_table(a: Api) -> tuple[str, dict[str, str]]:
    scheme = await a.publish(await a.import_scheme())
    await a.notice(scheme["id"])
    sheets = await a.sheets(scheme["id"])
    assert len(sheets) == 45  # 10 A units + 35 B units, one sheet each
    a_sheets = {unit: sid for unit, sid in sheets.items() if unit.startswith("A")}
    for unit, sheet_id in a_sheets.items():
        assert (await a.entry(sheet_id, indicator="A4.1.2", occurrences=1, participant="principal")).status_code == 201
        assert (await a.entry(sheet_id, indicator="A5.3.1", measure=0)).status_code == 201
        for body in FINDINGS.get(unit, []):
            response = await a.entry(sheet_id, **body)
            assert response.status_code == 201, response.text
    return scheme["id"], a_sheets


async def test_three_overdue_applications_take_the_6_point_indicator_to_0_and_a_fourth_changes_nothing(
    database_url: str,
) -> None:
    async with api(database_url) as a:
        _, sheets = await score_a_table(a)
        sheet_id = sheets["A01"]
        for n in range(1, 4):
            await a.deliver(overdue("A01", n=n))
        sheet = await a.sheet(sheet_id)
        assert leaf(sheet, "A3.2.1")["points"] == 0  # 依申请公开的及时规范答复情况: 6 points, 2 per case
        assert sheet["total"] == 94
        await a.deliver(overdue("A01", n=4))
        sheet = await a.sheet(sheet_id)
        assert leaf(sheet, "A3.2.1")["points"] == 0
        assert sheet["total"] == 94
        system = [e for e in sheet["entries"] if e["source"] == "system"]
        assert len(system) == 4
        assert all(e["event_id"] and e["ref_kind"] == "request" and e["ref_id"] for e in system)
        assert "YSQ-2023-0001" in system[0]["evidence"]


async def test_the_open_day_bonus_caps_at_5(database_url: str) -> None:
    async with api(database_url) as a:
        _, sheets = await score_a_table(a)
        response = await a.entry(sheets["A01"], indicator="A4.1.2", occurrences=1, participant="other")
        assert response.status_code == 201
        assert leaf(await a.sheet(sheets["A01"]), "A4.1.2")["points"] == 5  # 5 + 3, capped at 5


async def test_finalizing_grades_ranks_with_ties_band_edges_vetoes_and_shortfalls(database_url: str) -> None:
    async with api(database_url) as a:
        scheme_id, sheets = await score_a_table(a)
        for n in range(1, 4):
            await a.deliver(overdue("A01", n=n))
        veto = await a.client.post(
            f"/api/v1/sheets/{sheets['A02']}/vetoes",
            json={"code": "fraud_in_assessment", "evidence": "自查材料与实际不符"},
            headers=a.assessor,
        )
        assert veto.status_code == 201, veto.text
        # Not every sheet reviewed yet: 409 naming them.
        early = await a.finalize(scheme_id)
        assert early.status_code == 409 and early.json()["code"] == "sheets_not_reviewed"
        assert (
            a.assessor
            and (
                await a.client.get(f"/api/v1/schemes/{scheme_id}/categories/A/league", headers=a.staff("A01"))
            ).status_code
            == 403
        )
        await a.review_all(sheets)
        response = await a.finalize(scheme_id)
        assert response.status_code == 200, response.text
        rows = {r["unit_code"]: r for r in response.json()["rows"]}
        expected = {
            "A09": (100, "excellent", 1),
            "A10": (100, "excellent", 1),  # ties share rank 1
            "A02": (98, "fail", 3),  # 一票否决 at 98 points
            "A03": (95, "excellent", 4),
            "A04": (94.5, "good", 5),
            "A01": (94, "good", 6),
            "A05": (85, "good", 7),
            "A06": (84.5, "pass", 8),
            "A07": (75, "pass", 9),
            "A08": (74.5, "fail", 10),
        }
        assert {u: (r["total"], r["grade"], r["rank"]) for u, r in rows.items()} == expected
        finalized = {e["unit_code"]: e for e in await a.events("scoring.sheet_finalized")}
        assert set(finalized) == set(expected)
        assert [s["code"] for s in finalized["A07"]["shortfalls"]] == ["A2"]
        assert finalized["A07"]["shortfalls"][0] == {
            "code": "A2",
            "name": "主动公开",
            "points": 27.0,
            "max_points": 52.0,
            "threshold": 31.2,
        }
        assert finalized["A03"]["shortfalls"] == []
        failed = {e["unit_code"]: e for e in await a.events("scoring.grade_failed")}
        assert set(failed) == {"A02", "A08"}
        assert failed["A02"]["veto_reasons"] == ["在接受政务公开工作考核时弄虚作假的"]
        assert failed["A08"]["veto_reasons"] == [] and "低于合格线" in failed["A08"]["reasons"][0]
        # The league table is now of record, readable by the units too.
        league = await a.client.get(f"/api/v1/schemes/{scheme_id}/categories/A/league", headers=a.staff("A01"))
        assert league.status_code == 200 and league.json()["final"] is True
        again = await a.finalize(scheme_id)
        assert again.status_code == 409 and again.json()["code"] == "category_already_finalized"

        # An event after finalization is kept as a late finding and changes nothing.
        await a.deliver(overdue("A03", n=99))
        sheet = await a.sheet(sheets["A03"])
        assert sheet["total"] == 95 and sheet["grade"] == "excellent" and sheet["final"] is True
        assert [f["status"] for f in sheet["late_findings"]] == ["late"]
        assert not [e for e in sheet["entries"] if e["source"] == "system"]


async def test_on_site_checks_wait_15_days_after_the_notice(database_url: str) -> None:
    async with api(database_url) as a:
        scheme = await a.publish(await a.import_scheme())
        sheet_id = (await a.sheets(scheme["id"]))["A01"]
        # 考核方案 三(二): no notice yet → an on-site (evidence) check is a 409.
        before = await a.entry(sheet_id, indicator="A1.1.1", occurrences=1, on="2024-01-20")
        assert before.status_code == 409 and before.json()["code"] == "assessment_notice_not_sent"
        await a.notice(scheme["id"])  # 2024-01-02
        early = await a.entry(sheet_id, indicator="A1.1.1", occurrences=1, on="2024-01-16")
        assert early.status_code == 409 and early.json()["code"] == "on_site_check_too_early"
        assert early.headers["content-type"].startswith("application/problem+json")
        assert (await a.entry(sheet_id, indicator="A1.1.1", occurrences=1, on="2024-01-17")).status_code == 201
        # An online check is not on site: any day.
        assert (
            await a.entry(sheet_id, indicator="A2.1.2", occurrences=1, on=date(2023, 12, 1).isoformat())
        ).status_code == 201


async def test_results_xlsx_is_laid_out_like_the_score_table(database_url: str) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    async with api(database_url) as a:
        scheme_id, sheets = await score_a_table(a)
        response = await a.client.get(f"/api/v1/schemes/{scheme_id}/results.xlsx", headers=a.office)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(BytesIO(response.content))
        assert book.sheetnames == ["A", "B"]
        ws = book["A"]
        assert [ws.cell(2, c).value for c in range(1, 5)] == ["一级指标", "二级指标", "三级指标", "分值"]
        assert [ws.cell(2, c).value for c in range(5, 15)] == [f"A{i:02d}" for i in range(1, 11)]
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert "A3:A5" in merged  # 组织领导与工作保障 over its three leaves
        assert ws.cell(3, 1).value == "组织领导与工作保障（11分）"
        labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
        total_row = labels.index("总分") + 1
        assert ws.cell(total_row, 5 + 2).value == 95  # A03
        forbidden = await a.client.get(f"/api/v1/schemes/{scheme_id}/results.xlsx", headers=a.staff("A01"))
        assert forbidden.status_code == 403
