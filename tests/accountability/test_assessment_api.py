"""Assessment, repeat offence and appeals through the HTTP API (issue 14 §2, §5), with real dates on
the real calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from services.accountability.domain.ladders import LADDERS, recommend
from tests.accountability.support import HANDLER, api

FACTOR_SETS: dict[str, list[dict[str, str]]] = {
    "none": [],
    "mitigating": [{"code": "corrected_promptly"}],
    "aggravating": [{"code": "serious_consequences"}],
    "both": [{"code": "cooperated"}, {"code": "shifted_blame"}],
}


@pytest.mark.parametrize("ladder", sorted(LADDERS))
async def test_both_ladders_at_every_severity_with_and_without_factors(
    database_url: str, tmp_path: Path, ladder: str
) -> None:
    """The deployment's ladder (a setting) gives the recommendation the domain computes, at every
    severity, for no factor, a mitigating one, an aggravating one and both (DESIGN §8)."""
    if database_url.startswith("postgresql"):
        pytest.skip("the matrix is the same SQL on both; PostgreSQL runs the other API tests")
    async with api(database_url, tmp_path) as a:
        a.use_ladder(ladder)
        for severity in LADDERS[ladder].severities:
            for name, factors in FACTOR_SETS.items():
                case_id = await a.open_case(f"U-{severity}-{name}")
                out = await a.step(
                    case_id, "assessment", {"severity": severity, "approval": "none", "factors": factors}
                )
                expected = recommend(LADDERS[ladder], severity, [f["code"] for f in factors])  # type: ignore[misc]
                got = out["recommendation"]
                assert (got["ladder"], got["step"], got["unit_sanctions"]) == (
                    ladder,
                    expected.step,
                    list(expected.unit_sanctions),
                ), (severity, name)
                assert got["persons"]["p-handler"]["sanctions"] == list(expected.person_sanctions)
                assert got["reasons"] == list(expected.reasons)
        if ladder == "handan":
            case_id = await a.open_case("U-crime")
            refused = await a.step(case_id, "assessment", {"severity": "criminal", "approval": "none"}, expect=422)
            assert refused["code"] == "severity_not_on_ladder"


async def _assess_on(a: object, day: date, unit_code: str) -> dict[str, object]:
    a.set_day(day)  # type: ignore[attr-defined]
    case_id = await a.open_case(unit_code)  # type: ignore[attr-defined]
    out = await a.step(case_id, "assessment", {"severity": "minor", "approval": "none"})  # type: ignore[attr-defined]
    await a.step(case_id, "dismiss")  # type: ignore[attr-defined]
    return out


async def test_repeat_offence_aggravates_at_364_days_not_at_366_nor_after_a_revoked_decision(
    database_url: str, tmp_path: Path
) -> None:
    """责任追究办法 第九条(四): another decision for the unit within the year → one rung up, automatic."""
    async with api(database_url, tmp_path) as a:
        first = date(2025, 3, 3)
        a.set_day(first)
        await a.decided_case("U001")

        within = await _assess_on(a, first + timedelta(days=364), "U001")
        factors = within["recommendation"]["factors"]  # type: ignore[index]
        assert [(f["code"], f["automatic"]) for f in factors] == [("repeat_offence", True)]
        assert "2025-03-03" in factors[0]["note"]
        assert within["recommendation"]["step"] == 2  # type: ignore[index]
        assert any("系统自动认定" in r for r in within["recommendation"]["reasons"])  # type: ignore[index]

        beyond = await _assess_on(a, first + timedelta(days=366), "U001")
        assert beyond["recommendation"]["factors"] == [] and beyond["recommendation"]["step"] == 1  # type: ignore[index]

        # The same person in another unit counts too.
        other_unit = await _assess_on(a, first + timedelta(days=30), "U777")
        assert [f["code"] for f in other_unit["recommendation"]["factors"]] == ["repeat_offence"]  # type: ignore[index]

        # A decision revoked on appeal no longer counts.
        a.set_day(date(2026, 6, 1))
        revoked = await a.decided_case("U002", persons=[{**HANDLER, "person_id": "p-2"}])
        appealed = await a.post(f"/api/v1/cases/{revoked}/appeal", {"reason": "事实不清"})
        assert appealed.status_code == 201, appealed.text
        decided = await a.post(
            f"/api/v1/appeals/{appealed.json()['id']}/decide",
            {"result": "revoked", "reason": "事实不清，撤销原决定"},
            etag=appealed.headers["ETag"],
        )
        assert decided.status_code == 200, decided.text
        assert (await a.case(revoked))["revoked"] is True
        later = await _assess_on(a, date(2026, 9, 1), "U002")
        assert later["recommendation"]["factors"] == []  # type: ignore[index]


async def test_appeal_window_over_the_national_day_holiday(database_url: str, tmp_path: Path) -> None:
    """seed 004 第二十九条: 5 working days from a notice on 2026-09-29 end on 2026-10-12 — 国庆节
    10-01…10-07 skipped, the make-up Saturday 10-10 counted."""
    async with api(database_url, tmp_path) as a:
        a.set_day(date(2026, 9, 29))
        case_id = await a.decided_case("U001")
        assert (await a.case(case_id))["decision"]["appeal_last_day"] == "2026-10-12"

        a.set_day(date(2026, 10, 13))
        late = await a.post(f"/api/v1/cases/{case_id}/appeal", {"reason": "不服"})
        assert late.status_code == 409 and late.json()["code"] == "appeal_too_late"
        assert late.json()["last_day"] == "2026-10-12" and "2026-10-12" in late.json()["detail"]

        a.set_day(date(2026, 10, 12))
        appeal = await a.post(
            f"/api/v1/cases/{case_id}/appeal", {"reason": "情节认定过重"}, headers=a.auth("applicant", sub="p-handler")
        )
        assert appeal.status_code == 201, appeal.text
        body = appeal.json()
        # 20 days (日) from 10-12 → 11-01, a Sunday → Monday 11-02; reminder 3 days before.
        assert (body["appellant"], body["decision_due_on"], body["reminder_on"]) == (
            "p-handler",
            "2026-11-02",
            "2026-10-30",
        )
        assert (await a.case(case_id))["state"] == "appealed"

        # The reminder: once, by the sweep, on the case's timeline.
        a.set_day(date(2026, 10, 30))
        sweep = a.runtime
        from services.accountability.service.sweeps import sweep_deadlines

        assert (await sweep_deadlines(sweep)).appeal_reminders == 1
        assert (await sweep_deadlines(sweep)).appeal_reminders == 0
        actions = [e["action"] for e in (await a.get(f"/api/v1/cases/{case_id}/timeline")).json()]
        assert "appeal:reminder" in actions
        # …and an event, so whoever decides the appeal is told (the notifier routes it to the office).
        reminded = [e["data"] for e in await a.events("accountability.appeal_due_soon")]
        assert reminded == [
            {"appeal_id": body["id"], "case_id": case_id, "unit_code": "U001", "decision_due_on": "2026-11-02"}
        ]

        changed = await a.post(
            f"/api/v1/appeals/{body['id']}/decide",
            {
                "result": "changed",
                "reason": "情节较轻",
                "unit_sanctions": [],
                "person_sanctions": {"p-handler": ["admonition"]},
            },
            etag=appeal.headers["ETag"],
        )
        assert changed.status_code == 200, changed.text
        case = await a.case(case_id)
        assert case["state"] == "decided" and case["decision"]["person_sanctions"] == {"p-handler": ["admonition"]}
        issued = await a.events("accountability.decision_issued")
        assert len(issued) == 2 and issued[-1]["data"]["person_sanctions"] == {"p-handler": ["admonition"]}
