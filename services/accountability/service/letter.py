"""The decision letter (责任追究处理决定书) as a .docx, rendered with python-docx from the template
below: the unit's and the persons' names, the facts, the basis, the sanctions per unit and person
and the appeal clause (seed 004 第二十八条 下达书面通知, 第二十九条 复核、申诉)."""

from __future__ import annotations

from io import BytesIO
from string import Template
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from services.accountability.domain.deadlines import APPEAL_WORKING_DAYS
from shared.vocabulary import PERSON_ROLE_LABELS, RESPONSIBILITY_SHARE_LABELS, SANCTION_LABELS

# (style, text): "title" centred and large, "heading" bold, "body" plain. ${…} are filled per case.
TEMPLATE: tuple[tuple[str, str], ...] = (
    ("title", "政务公开工作责任追究处理决定书"),
    ("center", "案件编号：${case_id}"),
    ("body", "被追究单位：${unit_name}（${unit_code}）"),
    ("heading", "一、当事人"),
    ("list", "${persons}"),
    ("heading", "二、违规事实"),
    ("body", "${facts}"),
    ("heading", "三、处理依据"),
    ("body", "${basis}"),
    ("heading", "四、处理决定"),
    ("body", "对${unit_name}：${unit_sanctions}"),
    ("list", "${person_sanctions}"),
    ("heading", "五、复核与申诉"),
    (
        "body",
        "当事人和被追究单位对本决定不服的，可以在接到本决定后${appeal_days}个工作日内，即${appeal_last_day}前"
        "（含当日），提出复核或申诉；复核、申诉期间不停止本决定的执行。",
    ),
    ("right", "${decided_on}"),
)


def _date(value: str) -> str:
    year, month, day = value.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def _sanctions(codes: list[str]) -> str:
    return "、".join(SANCTION_LABELS.get(c, c) for c in codes) or "不予追究"


def letter_values(case: Any, persons: list[Any], unit_name: str | None) -> dict[str, str]:
    decision = case.decision
    shares = (case.recommendation or {}).get("persons", {})
    person_lines = []
    sanction_lines = []
    for p in persons:
        role = PERSON_ROLE_LABELS.get(p.role, p.role)
        title = f"，{p.title}" if p.title else ""
        share = shares.get(p.person_id, {}).get("share")
        share_text = f"，{RESPONSIBILITY_SHARE_LABELS[share]}" if share else ""
        person_lines.append(f"{p.name}（{role}{title}{share_text}）")
        sanction_lines.append(f"对{p.name}：{_sanctions(decision['person_sanctions'].get(p.person_id, []))}")
    return {
        "case_id": case.id,
        "unit_name": unit_name or case.unit_code,
        "unit_code": case.unit_code,
        "persons": "\n".join(person_lines) or "（无）",
        "facts": decision["facts"],
        "basis": decision["basis"],
        "unit_sanctions": _sanctions(decision["unit_sanctions"]),
        "person_sanctions": "\n".join(sanction_lines),
        "appeal_days": str(APPEAL_WORKING_DAYS),
        "appeal_last_day": _date(decision["appeal_last_day"]),
        "decided_on": _date(decision["decided_on"]),
    }


def render_decision_letter(case: Any, persons: list[Any], unit_name: str | None) -> bytes:
    values = letter_values(case, persons, unit_name)
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"  # type: ignore[attr-defined]
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # type: ignore[attr-defined]
    normal.font.size = Pt(14)  # type: ignore[attr-defined]
    for style, text in TEMPLATE:
        filled = Template(text).substitute(values)
        lines = filled.split("\n") if style == "list" else [filled]
        for line in lines:
            paragraph = document.add_paragraph()
            run = paragraph.add_run(line)
            if style == "title":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run.bold = True
                run.font.size = Pt(22)
            elif style == "center":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif style == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif style == "heading":
                run.bold = True
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
