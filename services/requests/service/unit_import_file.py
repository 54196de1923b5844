"""Reading a units-directory import file (单位名录导入) and checking the unit hierarchy.

Files: CSV (UTF-8 with or without BOM, else GB18030 — what Excel saves on Chinese Windows) read
with the stdlib ``csv`` module, or XLSX read with openpyxl (first worksheet). The first non-blank
row is the header; Chinese or English column names are accepted (:data:`COLUMN_ALIASES`).

A contact's role (角色) is 政务公开联络员, 主要负责人, 分管负责人 or 其他 (or the English values of
:data:`shared.vocabulary.ContactRole`); blank means 其他.

Row numbers are spreadsheet row numbers: the header is row 1 (after any blank rows above it), the
first data row row 2. One unit may take several rows to list several contacts: its later rows
carry the same ``unit_code`` and only contact columns (other columns blank or equal).

Everything here is pure (no I/O beyond the bytes handed in); the use case
(``service.units.import_units``) adds the database's view (existing units) and writes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, get_args

from pydantic import ValidationError

from services.requests.schemas.units import UNIT_CODE_PATTERN, ImportRowError, UnitIn
from shared.errors import ProblemError
from shared.vocabulary import CONTACT_ROLE_LABELS, UnitKind

MAX_IMPORT_ROWS = 20_000

UNIT_FIELDS = ("unit_code", "name", "kind", "parent_code", "region", "active")
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_title", "contact_phone", "contact_email")
REQUIRED_COLUMNS = ("unit_code", "name", "kind", "region")

# Header (normalised: no spaces, no *, no parenthesised note, lower case) → field.
COLUMN_ALIASES: dict[str, str] = {
    **{a: "unit_code" for a in ("单位代码", "代码", "unit_code", "unitcode", "code")},
    **{a: "name" for a in ("单位名称", "名称", "单位", "name", "unit_name")},
    **{a: "kind" for a in ("单位类型", "类型", "kind", "type")},
    **{a: "parent_code" for a in ("上级单位代码", "上级代码", "上级单位", "parent_code", "parent")},
    **{a: "region" for a in ("行政区划", "行政区划代码", "区划代码", "region", "region_code")},
    **{a: "contact_name" for a in ("联系人", "联系人姓名", "contact_name", "contact")},
    **{a: "contact_role" for a in ("角色", "联系人角色", "身份", "contact_role", "role")},
    **{a: "contact_title" for a in ("职务", "联系人职务", "contact_title", "title")},
    **{a: "contact_phone" for a in ("电话", "联系电话", "联系人电话", "contact_phone", "phone")},
    **{a: "contact_email" for a in ("邮箱", "电子邮箱", "联系人邮箱", "电子邮件", "contact_email", "email")},
    **{a: "active" for a in ("是否有效", "状态", "启用", "active")},
}

KIND_LABELS: dict[str, str] = {
    **{k: k for k in get_args(UnitKind)},
    **{a: "government" for a in ("政府", "人民政府", "政府机关")},
    **{a: "department" for a in ("部门", "政府部门", "工作部门")},
    **{a: "township" for a in ("乡镇", "乡镇街道", "乡镇（街道）", "乡镇(街道)", "街道")},
    **{a: "public_enterprise" for a in ("国有企业", "国企", "公共企事业单位", "企事业单位")},
    **{a: "other" for a in ("其他", "其它")},
}

ROLE_LABELS: dict[str, str] = {
    **{role: role for role in CONTACT_ROLE_LABELS},
    **{label: role for role, label in CONTACT_ROLE_LABELS.items()},
    **{a: "disclosure_contact" for a in ("联络员", "政务公开联络人", "信息公开联络员")},
    **{a: "principal_leader" for a in ("主要领导", "单位主要负责人")},
    **{a: "leader_in_charge" for a in ("分管领导", "分管负责同志")},
    "其它": "other",
}
_ROLE_CHOICES = "、".join(CONTACT_ROLE_LABELS.values())

ACTIVE_LABELS: dict[str, bool] = {
    **{a: True for a in ("是", "有效", "启用", "true", "yes", "y", "1")},
    **{a: False for a in ("否", "无效", "停用", "false", "no", "n", "0")},
}

_UNIT_CODE_RE = re.compile(UNIT_CODE_PATTERN)
_NOTE_RE = re.compile(r"[（(].*?[）)]")


def _problem(status: int, code: str, title: str, detail: str, **extensions: Any) -> ProblemError:
    return ProblemError(status, code, title, detail, **extensions)


def unreadable(detail: str) -> ProblemError:
    return _problem(422, "unreadable_file", "无法读取导入文件", detail)


def too_many_rows() -> ProblemError:
    return _problem(
        413,
        "too_many_rows",
        "导入文件行数过多",
        f"一次最多导入 {MAX_IMPORT_ROWS} 行，请拆分文件",
        max_rows=MAX_IMPORT_ROWS,
    )


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells) of non-blank data rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        # Excel stores 110101 typed into a cell as the number 110101.0.
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _sheet_of(lines: Iterable[tuple[int, Iterable[object]]]) -> Sheet:
    header_row, header = 0, None
    rows: list[tuple[int, list[str]]] = []
    for number, raw in lines:
        cells = [_cell_text(v) for v in raw]
        if not any(cells):
            continue
        if header is None:
            header_row, header = number, cells
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise too_many_rows()
        rows.append((number, cells))
    if header is None:
        raise unreadable("文件为空：未找到表头行")
    return Sheet(header_row, header, rows)


def _decode_csv(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise unreadable("CSV 文件编码无法识别，请保存为 UTF-8 或 GB18030（GBK）") from exc


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    first_line = text.split("\n", 1)[0]
    # Chinese Excel exports are comma-separated; tab-separated "CSV" (另存为 文本文件) also occurs.
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise unreadable(f"CSV 第 {reader.line_num} 行格式错误：{exc}") from exc


def _xlsx_lines(content: bytes) -> Iterator[tuple[int, tuple[object, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise unreadable(f"XLSX 文件已损坏或不是 Excel 工作簿：{exc}") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise unreadable("XLSX 文件中没有工作表")
        yield from enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()


def read_sheet(content: bytes, filename: str | None = None) -> Sheet:
    """The header and data rows of an uploaded CSV or XLSX file (detected by content, then name)."""
    name = (filename or "").lower()
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _problem(
            415, "unsupported_file_type", "不支持的文件类型", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 .csv"
        )
    if content.startswith(b"PK\x03\x04"):
        return _sheet_of(_xlsx_lines(content))
    if name.endswith((".xlsx", ".xlsm")):
        raise unreadable("文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
    if b"\x00" in content[:4096]:
        raise _problem(415, "unsupported_file_type", "不支持的文件类型", "请上传 .csv 或 .xlsx 文件")
    return _sheet_of(_csv_lines(_decode_csv(content)))


# -- rows → units ---------------------------------------------------------------------------------


def _normalise_header(text: str) -> str:
    text = _NOTE_RE.sub("", text.replace("\ufeff", ""))
    return re.sub(r"[\s*＊]", "", text).lower()


@dataclass
class ParsedUnit:
    row: int
    unit: UnitIn


@dataclass
class ParsedImport:
    units: dict[str, ParsedUnit] = field(default_factory=dict)  # in file order
    errors: list[ImportRowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0


def row_error(row: int, field_name: str, message: str) -> ImportRowError:
    return ImportRowError(row=row, field=field_name, message=message)


def _field_of(loc: tuple[int | str, ...]) -> str:
    if loc and loc[0] == "contacts":
        return f"contact_{loc[2]}" if len(loc) >= 3 else "contact_name"
    return str(loc[0]) if loc else "row"


def parse_units(sheet: Sheet) -> ParsedImport:
    """Map the sheet's rows onto units; every problem found is listed, none raises."""
    result = ParsedImport(rows=len(sheet.rows))
    columns: dict[int, str] = {}
    for index, title in enumerate(sheet.header):
        field_name = COLUMN_ALIASES.get(_normalise_header(title))
        if field_name is None:
            if title.strip():
                result.ignored_columns.append(title.strip())
        elif field_name in columns.values():
            result.errors.append(row_error(sheet.header_row, field_name, f"列“{title}”重复"))
        else:
            columns[index] = field_name
    missing = [c for c in REQUIRED_COLUMNS if c not in columns.values()]
    for column in missing:
        result.errors.append(row_error(sheet.header_row, column, "缺少必需的列"))
    if missing:
        return result

    drafts: dict[str, dict[str, Any]] = {}
    first_rows: dict[str, int] = {}
    for number, cells in sheet.rows:
        values = {f: (cells[i] if i < len(cells) else "") for i, f in columns.items()}
        code = values["unit_code"]
        if not code:
            result.errors.append(row_error(number, "unit_code", "单位代码不能为空"))
            continue
        if not _UNIT_CODE_RE.fullmatch(code):
            result.errors.append(row_error(number, "unit_code", "单位代码只能由字母、数字、_ . - 组成，最长 64 位"))
            continue
        contact = {f.removeprefix("contact_"): values.get(f, "") or None for f in CONTACT_FIELDS}
        has_contact = any(contact.values())
        if code in drafts:
            # A further row of the same unit: one more contact, nothing else may differ.
            draft = drafts[code]
            clash = [f for f in UNIT_FIELDS[1:] if values.get(f) and values.get(f) != draft["raw"].get(f)]
            for f in clash:
                result.errors.append(
                    row_error(number, f, f"单位 {code} 已在第 {first_rows[code]} 行出现，本行的该列与之不同")
                )
            if not has_contact and not clash:
                result.errors.append(row_error(number, "unit_code", f"单位 {code} 已在第 {first_rows[code]} 行出现"))
            if has_contact:
                draft["contacts"].append((number, contact))
            continue
        first_rows[code] = number
        drafts[code] = {"raw": values, "contacts": [(number, contact)] if has_contact else []}

    for code, draft in drafts.items():
        row = first_rows[code]
        raw = draft["raw"]
        data: dict[str, Any] = {
            "name": raw["name"],
            "region": raw["region"],
            "parent_code": raw.get("parent_code") or None,
            "contacts": [c for _, c in draft["contacts"]],
        }
        kind = KIND_LABELS.get(raw["kind"].strip().lower()) if raw["kind"] else None
        if kind is None:
            result.errors.append(
                row_error(row, "kind", f"单位类型“{raw['kind']}”无效，应为 政府、部门、乡镇、国有企业、其他 之一")
                if raw["kind"]
                else row_error(row, "kind", "单位类型不能为空")
            )
            continue
        data["kind"] = kind
        role_errors = _contact_roles(draft["contacts"])
        if role_errors:
            result.errors.extend(role_errors)
            continue
        active_text = (raw.get("active") or "").strip().lower()
        if active_text:
            if active_text not in ACTIVE_LABELS:
                result.errors.append(row_error(row, "active", f"“{raw['active']}”无效，应为 是 或 否"))
                continue
            data["active"] = ACTIVE_LABELS[active_text]
        try:
            unit = UnitIn.model_validate(data)
        except ValidationError as exc:
            for e in exc.errors():
                loc = tuple(e["loc"])
                error_row = draft["contacts"][int(loc[1])][0] if loc[:1] == ("contacts",) and len(loc) > 1 else row
                result.errors.append(row_error(error_row, _field_of(loc), _message(e)))
            continue
        if unit.parent_code == code:
            result.errors.append(row_error(row, "parent_code", "上级单位不能是本单位"))
            continue
        result.units[code] = ParsedUnit(row, unit)
    result.errors.sort(key=lambda e: (e.row, e.field))
    return result


def _contact_roles(contacts: list[tuple[int, dict[str, Any]]]) -> list[ImportRowError]:
    """Each contact's 角色 as a :data:`ContactRole` (in place; blank: the default, 其他), or the rows
    whose role is not one."""
    problems = []
    for number, contact in contacts:
        text = contact.pop("role", None)
        if text is None:
            continue
        role = ROLE_LABELS.get(text.strip().lower())
        if role is None:
            problems.append(row_error(number, "contact_role", f"角色“{text}”无效，应为 {_ROLE_CHOICES} 之一"))
        else:
            contact["role"] = role
    return problems


def _message(error: Mapping[str, Any]) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    field_name = _field_of(loc)
    if kind == "missing" or (kind == "string_too_short" and error.get("input") == ""):
        return "不能为空"
    if kind == "string_pattern_mismatch":
        return {
            "region": "行政区划代码应为 6、9 或 12 位数字",
            "parent_code": "上级单位代码格式无效",
            "contact_phone": "电话号码格式无效",
            "contact_email": "邮箱格式无效",
        }.get(field_name, "格式无效")
    if kind == "string_too_long":
        return f"过长（最多 {error.get('ctx', {}).get('max_length')} 个字符）"
    return str(error["msg"])


# -- hierarchy ------------------------------------------------------------------------------------


def hierarchy_errors(changes: Mapping[str, str | None], existing: Mapping[str, str | None]) -> dict[str, str]:
    """Units of ``changes`` (code → new parent) whose parent is unknown or that would join a cycle.

    ``existing`` maps every stored unit to its parent. Returns code → Chinese message.
    """
    parents = {**existing, **changes}
    problems: dict[str, str] = {}
    for code, parent in changes.items():
        if parent is None:
            continue
        if parent not in parents:
            problems[code] = f"上级单位 {parent} 不存在"
            continue
        seen: set[str] = set()
        current: str | None = parent
        while current is not None and current not in seen:
            if current == code:
                problems[code] = f"上级单位 {parent} 是本单位的下级，不能形成循环"
                break
            seen.add(current)
            current = parents.get(current)
    return problems


def depth_order(codes: Iterable[str], parents: Mapping[str, str | None]) -> list[str]:
    """``codes`` ordered so every parent precedes its children (the hierarchy must be acyclic)."""
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in depth:
            chain.append(current)
            current = parents.get(current)
        base = depth[current] if current is not None else -1
        for node in reversed(chain):
            base += 1
            depth[node] = base
        return depth[code]

    return sorted(codes, key=lambda c: (depth_of(c), c))
