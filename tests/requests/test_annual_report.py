"""Annual report (DESIGN §5, issue 3 item 7): tables 三 and 四, the balance, scoping, JSON/xlsx."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from services.requests.app import create_app
from services.requests.domain.outcomes import APPLICANT_TYPES, OUTCOMES
from services.requests.models import review_records, units
from services.requests.service.report_xlsx import XLSX_MEDIA_TYPE
from services.requests.service.reports import COLUMNS, ROWS, ReportScope, annual_report
from tests.foundation import serving
from tests.requests.factories import application_row, insert_applications
from tests.requests.helpers import Api
from tests.support import make_settings

REPORT_PATH = "/api/v1/reports/annual/{year}"


@asynccontextmanager
async def report_api(database_url: str) -> AsyncIterator[Api]:
    settings = make_settings(requests_database_url=database_url, run_background_jobs=False)
    app = create_app(settings)
    async with serving(app) as client:
        yield Api(app, settings, client)


def unit_row(unit_code: str, region: str, name: str | None = None) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "unit_code": unit_code,
        "name": name or f"单位{unit_code}",
        "kind": "department",
        "parent_code": None,
        "region": region,
        "contacts": [],
        "active": True,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def app_row(
    received: date | None, concluded: date | None = None, outcome: str | None = "disclosed", **kw: Any
) -> dict[str, Any]:
    state = kw.pop("state", None)
    if state is None:
        state = "registered" if concluded is None else ("withdrawn" if outcome is None else "replied")
    return application_row(
        received_on=received,
        concluded_on=concluded,
        outcome=outcome if concluded else None,
        replied_on=concluded if outcome else None,
        state=state,
        **kw,
    )


def review_row(filed: date, decided: date | None = None, result: str = "pending", **kw: Any) -> dict[str, Any]:
    row = {
        "id": str(uuid.uuid4()),
        "application_id": kw.pop("application_id"),
        "unit_code": "U001",
        "kind": "administrative_review",
        "after_review": False,
        "filed_on": filed,
        "result": result,
        "decided_on": decided,
        "version": 1,
    }
    row.update(kw)
    return row


async def insert(
    api: Api, apps: list[dict[str, Any]] = (), units_: list[dict[str, Any]] = (), reviews: list[dict[str, Any]] = ()
) -> None:  # type: ignore[assignment]
    async with api.runtime.sessions() as session, session.begin():
        if units_:
            await session.execute(units.insert(), list(units_))
        if apps:
            await session.execute(insert_applications(), list(apps))
        if reviews:
            await session.execute(review_records.insert(), list(reviews))


async def report(api: Api, year: int, **scope: str) -> dict[str, Any]:
    async with api.runtime.sessions() as session:
        return (await annual_report(session, year, ReportScope(**scope))).to_dict()


def assert_balanced(body: dict[str, Any]) -> None:
    rows = body["table3"]["rows"]
    for column in COLUMNS:
        assert (
            rows["received"][column] + rows["carried_over_from_last_year"][column]
            == rows["concluded_total"][column] + rows["carried_over_to_next_year"][column]
        ), (body["year"], column)
    for row in ROWS:
        assert rows[row]["total"] == sum(rows[row][t] for t in APPLICANT_TYPES)
    assert rows["concluded_total"]["total"] == sum(rows[code]["total"] for code in OUTCOMES)


# -- table 三 -----------------------------------------------------------------------------------


def reference(apps: list[dict[str, Any]], year: int, unit_codes: set[str]) -> dict[str, dict[str, int]]:
    """The definitions of services.requests.service.reports, applied one application at a time."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    rows = {row: dict.fromkeys(COLUMNS, 0) for row in ROWS}

    def add(row: str, a: dict[str, Any]) -> None:
        rows[row][a["applicant_type"]] += 1
        rows[row]["total"] += 1

    for a in apps:
        r, c = a["received_on"], a["concluded_on"]
        if a["unit_code"] not in unit_codes or r is None:
            continue
        if start <= r <= end:
            add("received", a)
        if r < start and (c is None or c >= start):
            add("carried_over_from_last_year", a)
        if c is not None and start <= c <= end:
            add(a["outcome"] or "other.other", a)
            add("concluded_total", a)
        if r <= end and (c is None or c > end):
            add("carried_over_to_next_year", a)
    return rows


async def test_balance_holds_on_generated_data_for_several_years_for_a_unit_and_a_region(database_url: str) -> None:
    rng = random.Random(20260101)
    unit_regions = {"U001": "130402", "U002": "130402001", "U003": "130403", "U004": "110101"}
    codes = list(OUTCOMES)
    apps = []
    first = date(2024, 1, 1)
    for _ in range(3000):
        unit_code = rng.choice([*unit_regions, "U999"])  # U999: no row in units
        received = first + timedelta(days=rng.randrange(0, 4 * 365))
        roll = rng.random()
        if roll < 0.05:  # never registered (withdrawn while submitted)
            apps.append(
                app_row(
                    None,
                    received,
                    None,
                    unit_code=unit_code,
                    state="withdrawn",
                    applicant_type=rng.choice(APPLICANT_TYPES),
                )
            )
            continue
        concluded = None if roll < 0.25 else received + timedelta(days=rng.randrange(0, 120))
        outcome = None if roll < 0.35 else rng.choice(codes)  # withdrawn, or replied
        apps.append(
            app_row(received, concluded, outcome, unit_code=unit_code, applicant_type=rng.choice(APPLICANT_TYPES))
        )
    async with report_api(database_url) as api:
        await insert(api, apps, [unit_row(u, r) for u, r in unit_regions.items()])
        for year in (2023, 2024, 2025, 2026, 2027, 2028):
            for scope, unit_codes in (
                ({"unit_code": "U001"}, {"U001"}),
                ({"unit_code": "U999"}, {"U999"}),
                ({"region": "1304"}, {"U001", "U002", "U003"}),
                ({"region": "130402"}, {"U001", "U002"}),
            ):
                body = await report(api, year, **scope)
                assert_balanced(body)
                assert body["table3"]["rows"] == reference(apps, year, unit_codes), (year, scope)
        # Something was actually counted in every kind of row.
        body = await report(api, 2025, region="13")
        rows = body["table3"]["rows"]
        assert (
            min(
                rows[r]["total"]
                for r in ("received", "carried_over_from_last_year", "concluded_total", "carried_over_to_next_year")
            )
            > 0
        )


async def test_carry_over_across_a_year_end(database_url: str) -> None:
    async with report_api(database_url) as api:
        await insert(
            api,
            [
                app_row(
                    date(2025, 12, 20), date(2026, 1, 10), "partially_disclosed", applicant_type="research_institution"
                )
            ],
        )
        r2025 = (await report(api, 2025, unit_code="U001"))["table3"]["rows"]
        r2026 = (await report(api, 2026, unit_code="U001"))["table3"]["rows"]
    assert r2025["received"]["research_institution"] == 1
    assert r2025["carried_over_to_next_year"]["research_institution"] == 1
    assert r2025["concluded_total"]["total"] == 0
    assert r2026["received"]["total"] == 0
    assert r2026["carried_over_from_last_year"]["research_institution"] == 1
    assert r2026["partially_disclosed"]["research_institution"] == 1
    assert r2026["concluded_total"]["total"] == 1
    assert r2026["carried_over_to_next_year"]["total"] == 0


async def test_withdrawal_counts_as_other_other_in_its_year(database_url: str) -> None:
    async with report_api(database_url) as api:
        await insert(api, [app_row(date(2025, 11, 3), date(2026, 2, 1), None, applicant_type="legal_service_org")])
        r2025 = (await report(api, 2025, unit_code="U001"))["table3"]["rows"]
        r2026 = (await report(api, 2026, unit_code="U001"))["table3"]["rows"]
    assert r2025["other.other"]["total"] == 0
    assert r2025["carried_over_to_next_year"]["legal_service_org"] == 1
    assert r2026["other.other"]["legal_service_org"] == 1
    assert r2026["concluded_total"]["total"] == 1


async def test_unregistered_applications_are_never_counted(database_url: str) -> None:
    async with report_api(database_url) as api:
        await insert(
            api,
            [
                app_row(None, None, None, state="submitted"),
                app_row(None, date(2026, 3, 1), None, state="withdrawn"),
            ],
        )
        for year in (2025, 2026, 2027):
            rows = (await report(api, year, unit_code="U001"))["table3"]["rows"]
            assert all(counts["total"] == 0 for counts in rows.values())


async def test_every_outcome_code_lands_in_its_own_row(database_url: str) -> None:
    apps = [
        app_row(date(2026, 3, 1), date(2026, 4, 1), code, applicant_type="natural_person")
        for i, code in enumerate(OUTCOMES)
        for _ in range(i + 1)
    ]
    async with report_api(database_url) as api:
        await insert(api, apps)
        rows = (await report(api, 2026, unit_code="U001"))["table3"]["rows"]
    for i, code in enumerate(OUTCOMES):
        assert rows[code] == {**dict.fromkeys(COLUMNS, 0), "natural_person": i + 1, "total": i + 1}, code
    assert rows["concluded_total"]["total"] == len(apps)


async def test_applicant_types_in_their_columns(database_url: str) -> None:
    apps = [
        app_row(date(2026, 5, 1), None, applicant_type=kind)
        for i, kind in enumerate(APPLICANT_TYPES)
        for _ in range(i + 1)
    ]
    async with report_api(database_url) as api:
        await insert(api, apps)
        rows = (await report(api, 2026, unit_code="U001"))["table3"]["rows"]
    expected = {kind: i + 1 for i, kind in enumerate(APPLICANT_TYPES)}
    assert rows["received"] == {**expected, "total": 21}
    assert rows["carried_over_to_next_year"] == {**expected, "total": 21}


# -- table 四 -----------------------------------------------------------------------------------


async def test_table4_decided_in_year_pending_at_every_year_end_and_direct_vs_after_review(database_url: str) -> None:
    application = app_row(date(2024, 3, 1), date(2024, 4, 1), "withheld.process_info")
    a = application["id"]
    reviews = [
        review_row(date(2024, 6, 1), date(2026, 3, 1), "corrected", application_id=a),  # open at 2024, 2025 ends
        review_row(date(2026, 1, 5), date(2026, 2, 5), "upheld", application_id=a),
        review_row(date(2026, 1, 5), None, "pending", application_id=a),  # open ever since
        review_row(date(2025, 6, 1), date(2026, 7, 1), "other", kind="litigation", application_id=a),
        review_row(
            date(2026, 6, 1), date(2026, 9, 1), "upheld", kind="litigation", after_review=True, application_id=a
        ),
        review_row(date(2026, 8, 1), None, "pending", kind="litigation", after_review=True, application_id=a),
        review_row(date(2026, 8, 1), date(2026, 9, 1), "upheld", unit_code="U002", application_id=a),  # other unit
    ]
    async with report_api(database_url) as api:
        await insert(api, [application], reviews=reviews)
        t = {year: (await report(api, year, unit_code="U001"))["table4"] for year in (2023, 2024, 2025, 2026, 2027)}
    zero = dict.fromkeys(("upheld", "corrected", "other", "pending", "total"), 0)
    assert t[2023] == {"administrative_review": zero, "litigation_direct": zero, "litigation_after_review": zero}
    assert t[2024]["administrative_review"] == {**zero, "pending": 1, "total": 1}
    assert t[2025]["administrative_review"] == {**zero, "pending": 1, "total": 1}
    assert t[2025]["litigation_direct"] == {**zero, "pending": 1, "total": 1}
    assert t[2026]["administrative_review"] == {**zero, "upheld": 1, "corrected": 1, "pending": 1, "total": 3}
    assert t[2026]["litigation_direct"] == {**zero, "other": 1, "total": 1}
    assert t[2026]["litigation_after_review"] == {**zero, "upheld": 1, "pending": 1, "total": 2}
    assert t[2027]["administrative_review"] == {**zero, "pending": 1, "total": 1}
    assert t[2027]["litigation_after_review"] == {**zero, "pending": 1, "total": 1}


# -- API: scoping, content negotiation, bad input -------------------------------------------------


async def _seed_small(api: Api) -> None:
    apps = [
        app_row(date(2025, 12, 20), date(2026, 1, 10), "disclosed", applicant_type="natural_person"),
        app_row(date(2026, 2, 1), date(2026, 3, 1), "withheld.state_secret", applicant_type="commercial_enterprise"),
        app_row(date(2026, 11, 1), None, applicant_type="other_org"),
        app_row(date(2026, 4, 1), date(2026, 5, 1), "disclosed", unit_code="U002"),
    ]
    application_id = apps[0]["id"]
    await insert(
        api,
        apps,
        [unit_row("U001", "130402", "某市某区人民政府办公室"), unit_row("U002", "130403")],
        [
            review_row(
                date(2026, 2, 1), None, "pending", kind="litigation", after_review=True, application_id=application_id
            )
        ],
    )


async def test_json_report_and_unit_scoping(database_url: str) -> None:
    async with report_api(database_url) as api:
        await _seed_small(api)
        url = REPORT_PATH.format(year=2026)
        response = await api.client.get(url, params={"unit_code": "U001"}, headers=api.auth("handler", units=("U001",)))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert set(body) == {"year", "unit_code", "table3", "table4", "labels"}  # labels: issue 9
        assert body["year"] == 2026 and body["unit_code"] == "U001"
        rows = body["table3"]["rows"]
        assert list(rows) == list(ROWS)
        assert rows["received"]["total"] == 2 and rows["carried_over_from_last_year"]["natural_person"] == 1
        assert rows["withheld.state_secret"]["commercial_enterprise"] == 1
        assert rows["carried_over_to_next_year"]["other_org"] == 1
        assert body["table4"]["litigation_after_review"]["pending"] == 1
        assert_balanced(body)

        # A handler of U001 cannot read U002, nor a region roll-up; unit_admin likewise.
        for role in ("handler", "unit_admin"):
            headers = api.auth(role, units=("U001",))
            denied = await api.client.get(url, params={"unit_code": "U002"}, headers=headers)
            assert denied.status_code == 403 and denied.headers["content-type"].startswith("application/problem+json")
            denied = await api.client.get(url, params={"region": "1304"}, headers=headers)
            assert denied.status_code == 403
        # Applicants and integrations never; no token → 401.
        assert (
            await api.client.get(url, params={"unit_code": "U001"}, headers=api.auth("applicant"))
        ).status_code == 403
        assert (await api.client.get(url, params={"unit_code": "U001"})).status_code == 401
        # Unit-wide roles: any unit and region roll-ups.
        for role in ("office", "admin", "assessor", "inspector"):
            ok = await api.client.get(url, params={"region": "1304"}, headers=api.auth(role))
            assert ok.status_code == 200, (role, ok.text)
            assert set(ok.json()) == {"year", "region", "table3", "table4", "labels"}
            assert ok.json()["table3"]["rows"]["received"]["total"] == 3
            assert (await api.client.get(url, params={"unit_code": "U002"}, headers=api.auth(role))).status_code == 200


async def test_xlsx_by_accept_header_laid_out_like_the_form(database_url: str) -> None:
    async with report_api(database_url) as api:
        await _seed_small(api)
        response = await api.client.get(
            REPORT_PATH.format(year=2026),
            params={"unit_code": "U001"},
            headers={**api.auth("office"), "Accept": XLSX_MEDIA_TYPE},
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(XLSX_MEDIA_TYPE)
    assert "attachment" in response.headers["content-disposition"]
    assert "gongkai-annual-report-2026-U001.xlsx" in response.headers["content-disposition"]
    ws = load_workbook(BytesIO(response.content)).active
    assert ws["A1"].value == "某市某区人民政府办公室2026年政府信息公开工作年度报告"
    assert ws["A1"].font.bold

    cells = {cell.value: cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)}
    for label in (
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "申请人情况",
        "法人或其他组织",
        "未经复议直接起诉",
        "复议后起诉",
        "行政复议",
        "行政诉讼",
        "（七）总计",
    ):
        assert label in cells, label
    header = cells["申请人情况"]
    assert header.font.bold
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"{header.coordinate}:J{header.row}" in merged  # over the seven count columns
    legal = cells["法人或其他组织"]
    assert f"{legal.coordinate}:I{legal.row}" in merged
    assert [ws.cell(row=legal.row + 1, column=c).value for c in range(5, 10)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]

    def value(label: str, column: str) -> Any:  # D 自然人, E 商业企业, … J 总计
        return ws[f"{column}{cells[label].row}"].value

    assert value("一、本年新收政府信息公开申请数量", "J") == 2
    assert value("一、本年新收政府信息公开申请数量", "E") == 1
    assert value("二、上年结转政府信息公开申请数量", "D") == 1
    assert value("（一）予以公开", "D") == 1
    assert value("1.属于国家秘密", "E") == 1
    assert value("（七）总计", "J") == 2
    assert value("四、结转下年度继续办理", "I") == 1
    labels = [ws.cell(row=r, column=c).value for r in range(1, ws.max_row + 1) for c in (1, 2, 3)]
    order = [
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "三、本年度办理结果",
        "（一）予以公开",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
        "3.其他",
        "（七）总计",
        "四、结转下年度继续办理",
    ]
    positions = [labels.index(label) for label in order]
    assert positions == sorted(positions)
    # Table 四: the 复议后起诉 block's 尚未审结 holds the pending litigation.
    after = cells["复议后起诉"]
    assert ws.cell(row=after.row + 1, column=14).value == "尚未审结"
    assert ws.cell(row=after.row + 2, column=14).value == 1
    assert ws.cell(row=after.row + 2, column=15).value == 1


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("2026", {}, 422),  # neither unit nor region
        ("2026", {"unit_code": "U001", "region": "1304"}, 422),  # both
        ("1800", {"unit_code": "U001"}, 422),
        ("2101", {"unit_code": "U001"}, 422),
        ("abc", {"unit_code": "U001"}, 422),
        ("2026.5", {"unit_code": "U001"}, 422),
        ("2026", {"region": "13x4"}, 422),
        ("2026", {"unit_code": "bad code!"}, 422),
    ],
)
async def test_bad_input_is_a_problem(database_url: str, path: str, params: dict[str, str], status: int) -> None:
    async with report_api(database_url) as api:
        response = await api.client.get(f"/api/v1/reports/annual/{path}", params=params, headers=api.auth("office"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status
