"""Bulk import of the units directory (单位名录导入): CSV in UTF-8 (with BOM) and GB18030, XLSX,
all-or-nothing with every bad row listed — on SQLite and PostgreSQL."""

from __future__ import annotations

import io

from openpyxl import Workbook

from services.requests.service.unit_import_file import MAX_IMPORT_ROWS
from tests.requests.helpers import api, unit_body

IMPORT = "/api/v1/units/import"

CHINESE_CSV = (
    "单位代码,单位名称,单位类型,上级单位代码,行政区划,联系人,职务,电话,邮箱\n"
    # The child comes before its parent: parents may appear later in the file.
    "EDU,某县教育局,部门,GOV,110101,李四,科员,010-1111,li@example.gov.cn\n"
    "GOV,某县人民政府,政府,,110101,王五,主任,010-2222,\n"
    "GOV,,,,,赵六,副主任,010-3333,\n"
    "TOWN1,某镇人民政府,乡镇,GOV,110101001,,,,\n"
)


async def upload(a, name: str, content: bytes, **headers: str):  # type: ignore[no-untyped-def]
    return await a.client.post(IMPORT, files={"file": (name, content)}, headers={**a.auth("office"), **headers})


async def stored(a) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    page = (await a.client.get("/api/v1/units", params={"limit": 500})).json()
    return {u["unit_code"]: u for u in page["items"]}


async def test_csv_utf8_with_bom(database_url: str) -> None:
    async with api(database_url) as a:
        response = await upload(a, "units.csv", CHINESE_CSV.encode("utf-8-sig"))
        assert response.status_code == 200, response.text
        assert response.json() == {"rows": 4, "created": 3, "updated": 0, "unchanged": 0, "ignored_columns": []}
        units = await stored(a)
        assert units["EDU"]["parent_code"] == "GOV" and units["EDU"]["kind"] == "department"
        assert [c["name"] for c in units["GOV"]["contacts"]] == ["王五", "赵六"]
        assert units["TOWN1"]["kind"] == "township" and units["TOWN1"]["contacts"] == []
        events = await a.events("unit.upserted")
        assert sorted(e["subject"] for e in events) == ["EDU", "GOV", "TOWN1"]
        assert len(await a.audit("unit")) == 3

        # Again, with one change: one update, two unchanged, one more event.
        again = CHINESE_CSV.replace("某镇人民政府", "某镇政府")
        response = await upload(a, "units.csv", again.encode("utf-8"))
        assert response.json()["created"] == 0
        assert (response.json()["updated"], response.json()["unchanged"]) == (1, 2)
        assert len(await a.events("unit.upserted")) == 4
        assert (await a.client.get("/api/v1/units/TOWN1")).json()["version"] == 2


async def test_csv_gb18030(database_url: str) -> None:
    async with api(database_url) as a:
        response = await upload(a, "单位.csv", CHINESE_CSV.encode("gb18030"))
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 3
        assert (await stored(a))["GOV"]["name"] == "某县人民政府"


async def test_xlsx_with_english_headers(database_url: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit_code", "name", "kind", "parent_code", "region", "contact_name", "contact_phone", "remark"])
    sheet.append(["GOV", "County government", "government", None, 110101, "Wang", "010-2222", "x"])
    sheet.append(["SOE", "County water company", "国有企业", "GOV", 110101, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    async with api(database_url) as a:
        response = await upload(a, "units.xlsx", buffer.getvalue())
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 2 and response.json()["ignored_columns"] == ["remark"]
        units = await stored(a)
        # A number typed into a cell is still the region code.
        assert units["GOV"]["region"] == "110101"
        assert units["SOE"]["kind"] == "public_enterprise"


async def test_one_bad_row_stores_nothing(database_url: str) -> None:
    bad = CHINESE_CSV + (
        "BAD,某单位,部委,GOV,110101,,,,\n"
        "ORPHAN,孤儿单位,其他,NOWHERE,110101,,,,\n"
        "MAIL,某单位,其他,GOV,110101,钱七,,,not-an-email\n"
    )
    async with api(database_url) as a:
        response = await upload(a, "units.csv", bad.encode("utf-8"))
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["code"] == "import_invalid"
        assert {(e["row"], e["field"]) for e in body["errors"]} == {
            (6, "kind"),
            (7, "parent_code"),
            (8, "contact_email"),
        }
        assert await stored(a) == {}
        assert await a.events("unit.upserted") == []


async def test_cycle_through_the_stored_directory_is_refused(database_url: str) -> None:
    async with api(database_url) as a:
        office = a.auth("office")
        await a.client.put("/api/v1/units/A", json=unit_body(), headers=office)
        await a.client.put("/api/v1/units/B", json=unit_body(parent_code="A"), headers=office)
        csv_text = "unit_code,name,kind,parent_code,region\nA,甲,other,B,110101\n"
        response = await upload(a, "u.csv", csv_text.encode())
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "parent_code"
        assert (await a.client.get("/api/v1/units/A")).json()["parent_code"] is None


async def test_unreadable_and_oversized_files(database_url: str) -> None:
    async with api(database_url) as a:
        missing = await upload(a, "u.csv", "单位代码,单位名称\nA,甲\n".encode())
        assert missing.status_code == 422
        assert {e["field"] for e in missing.json()["errors"]} == {"kind", "region"}
        assert (await upload(a, "u.csv", b"")).json()["code"] == "unreadable_file"
        assert (await upload(a, "u.xlsx", b"not a workbook")).json()["code"] == "unreadable_file"
        assert (await upload(a, "u.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)).status_code == 415
        rows = "".join(f"U{i},单位{i},other,,110101\n" for i in range(MAX_IMPORT_ROWS + 1))
        big = await upload(a, "u.csv", ("unit_code,name,kind,parent_code,region\n" + rows).encode())
        assert big.status_code == 413 and big.json()["code"] == "too_many_rows"
        assert (await a.client.post(IMPORT, headers=a.auth("office"))).status_code == 422
