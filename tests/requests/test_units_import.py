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
    """The directory as the office sees it (contacts included)."""
    page = (await a.client.get("/api/v1/units", params={"limit": 500}, headers=a.auth("office"))).json()
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


ROLES_CSV = (
    "单位代码,单位名称,单位类型,上级单位代码,行政区划,联系人,角色,职务,电话\n"
    "EDU,某县教育局,部门,,110101,李主任,主要负责人,局长,0571-1111\n"
    "EDU,,,,,赵副,分管负责人,副局长,\n"
    "EDU,,,,,王敏,政务公开联络员,,0571-2222\n"
    "EDU,,,,,钱七,,科员,\n"
    "HEALTH,某县卫健局,部门,,110101,孙局,principal_leader,,\n"
)


async def test_a_role_column_in_chinese_or_english(database_url: str) -> None:
    """角色: the Chinese labels (政务公开联络员, 主要负责人, 分管负责人, 其他) or the English values;
    blank is 其他. Roles are published with the unit (``unit.upserted``)."""
    async with api(database_url) as a:
        response = await upload(a, "units.csv", ROLES_CSV.encode("gb18030"))
        assert response.status_code == 200, response.text
        assert response.json()["created"] == 2 and response.json()["ignored_columns"] == []
        units = await stored(a)
        assert [(c["name"], c["role"]) for c in units["EDU"]["contacts"]] == [
            ("李主任", "principal_leader"),
            ("赵副", "leader_in_charge"),
            ("王敏", "disclosure_contact"),
            ("钱七", "other"),
        ]
        assert units["HEALTH"]["contacts"][0]["role"] == "principal_leader"
        events = {e["subject"]: e["data"] for e in await a.events("unit.upserted")}
        assert [c["role"] for c in events["EDU"]["contacts"]] == [
            "principal_leader",
            "leader_in_charge",
            "disclosure_contact",
            "other",
        ]
        assert (events["EDU"]["version"], events["EDU"]["active"]) == (1, True)

        # The same file again: the roles are part of what is compared, nothing changed.
        again = await upload(a, "units.csv", ROLES_CSV.encode("utf-8"))
        assert (again.json()["unchanged"], again.json()["updated"]) == (2, 0)
        # One role changed: that unit is updated, at version 2.
        changed = ROLES_CSV.replace("钱七,,科员", "钱七,联络员,科员")
        response = await upload(a, "units.csv", changed.encode("utf-8"))
        assert (response.json()["updated"], response.json()["unchanged"]) == (1, 1)
        assert (await stored(a))["EDU"]["contacts"][3]["role"] == "disclosure_contact"
        assert [e["data"]["version"] for e in await a.events("unit.upserted")][-1] == 2

        # English headers and values.
        english = "unit_code,name,kind,region,contact_name,role\nSOE,Water company,other,110101,Wang,leader_in_charge\n"
        assert (await upload(a, "u.csv", english.encode())).status_code == 200
        assert (await stored(a))["SOE"]["contacts"][0]["role"] == "leader_in_charge"


async def test_an_unknown_role_is_a_row_error(database_url: str) -> None:
    bad = ROLES_CSV + "TAX,某县税务局,部门,,110101,周八,一把手,,\nTAX,,,,,吴九,boss,,\n"
    async with api(database_url) as a:
        response = await upload(a, "units.csv", bad.encode("utf-8"))
        assert response.status_code == 422, response.text
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(7, "contact_role"), (8, "contact_role")]
        assert "主要负责人" in response.json()["errors"][0]["message"]
        assert await stored(a) == {}
