"""The scheme document (考核方案文件): YAML or JSON of one structure, its JSON Schema, load and dump.

Pure: the caller reads the file; this module turns its text (or an already-parsed mapping) into a
validated ``Scheme`` and back. Every malformed document is an ``InvalidInput`` whose ``detail`` names
the place (``categories[0].indicators[2].rule.points: …``) and whose ``path`` extension carries it.

Structure (see ``SCHEME_JSON_SCHEMA``)::

    year, name, period: {start, end}, grade_bands: {excellent, good, pass}, shortfall_share,
    vetoes: [{code, description}],
    categories: [{code, name, total, partial, notice_date, units: [unit_code…],
                  indicators: [{code, name, max_points, partial, children: […]}        # a parent
                               | {code, name, max_points, method, rule, auto_source, content}]}]

A parent may omit ``max_points`` (it is then the sum of its children, as in seed 003, which gives
points only to 三级指标). ``method`` is one method or a list (网上检查+被考核单位提供印证材料).
``rule`` is ``{kind: deduct, points}``, ``{kind: all_or_nothing}``, ``{kind: bonus,
points_by_participant: {principal: 5, other: 3}}``, ``{kind: ranked, points_by_rank: […],
higher_is_better}`` or ``{kind: proportional}``. ``partial: true`` on a category (with its declared
``total``) or on a parent marks a table the source gives only in part: its indicators may add up
to less than the declared maximum.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args

import yaml  # type: ignore[import-untyped]  # no types-PyYAML in the venv

from services.scoring.domain.scheme import (
    AllOrNothing,
    Bonus,
    Category,
    Deduct,
    GradeBand,
    Indicator,
    LeafRule,
    Proportional,
    Ranked,
    Scheme,
    VetoCondition,
    validate_scheme,
)
from shared.domain import InvalidInput
from shared.vocabulary import AutoSource, CheckMethod, IndicatorRule

SchemeFormat = Literal["yaml", "json"]

_NUMBER: dict[str, Any] = {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d+)?$"}
_DATE: dict[str, Any] = {"type": "string", "format": "date"}
_CODE: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64}

SCHEME_JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://gongkai.example/schemas/scoring-scheme.json",
    "title": "年度政务公开工作考核方案",
    "type": "object",
    "required": ["year", "name", "period", "categories"],
    "additionalProperties": False,
    "properties": {
        "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
        "name": {"type": "string", "minLength": 1},
        "period": {
            "type": "object",
            "required": ["start", "end"],
            "additionalProperties": False,
            "properties": {"start": _DATE, "end": _DATE},
        },
        "grade_bands": {
            "type": "object",
            "required": ["excellent", "good", "pass"],
            "additionalProperties": False,
            "properties": {"excellent": _NUMBER, "good": _NUMBER, "pass": _NUMBER},
        },
        "shortfall_share": _NUMBER,
        "vetoes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "description"],
                "additionalProperties": False,
                "properties": {"code": _CODE, "description": {"type": "string", "minLength": 1}},
            },
        },
        "categories": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/category"}},
    },
    "$defs": {
        "category": {
            "type": "object",
            "required": ["code", "name", "total", "indicators"],
            "additionalProperties": False,
            "properties": {
                "code": _CODE,
                "name": {"type": "string", "minLength": 1},
                "total": _NUMBER,
                "partial": {"type": "boolean"},
                "notice_date": {"oneOf": [_DATE, {"type": "null"}]},
                "units": {"type": "array", "items": _CODE},
                "indicators": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/indicator"}},
            },
        },
        "indicator": {
            "type": "object",
            "required": ["code", "name"],
            "additionalProperties": False,
            "properties": {
                "code": _CODE,
                "name": {"type": "string", "minLength": 1},
                "max_points": _NUMBER,
                "partial": {"type": "boolean"},
                "content": {"type": "string"},
                "children": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/indicator"}},
                "method": {
                    "oneOf": [
                        {"enum": list(get_args(CheckMethod))},
                        {"type": "array", "minItems": 1, "items": {"enum": list(get_args(CheckMethod))}},
                    ]
                },
                "auto_source": {"enum": list(get_args(AutoSource))},
                "rule": {"$ref": "#/$defs/rule"},
            },
            "oneOf": [
                {"required": ["children"], "not": {"anyOf": [{"required": ["rule"]}, {"required": ["method"]}]}},
                {"required": ["rule", "method", "max_points"], "not": {"required": ["children"]}},
            ],
        },
        "rule": {
            "type": "object",
            "required": ["kind"],
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": list(get_args(IndicatorRule))},
                "points": _NUMBER,
                "points_by_participant": {"type": "object", "additionalProperties": _NUMBER},
                "points_by_rank": {"type": "array", "items": _NUMBER},
                "higher_is_better": {"type": "boolean"},
            },
        },
    },
}


class _Reader:
    """Walks a parsed document, each read naming its path when it fails."""

    def __init__(self, data: object, path: str) -> None:
        self.data = data
        self.path = path

    def fail(self, message: str, key: str | None = None) -> InvalidInput:
        where = f"{self.path}.{key}" if key and self.path else (key or self.path or "(文档)")
        return InvalidInput("scheme_document_invalid", "考核方案文件格式错误", f"{where}: {message}", path=where)

    def mapping(self, allowed: set[str]) -> Mapping[str, object]:
        if not isinstance(self.data, Mapping):
            raise self.fail("应为对象（键值表）")
        unknown = sorted(str(k) for k in self.data if k not in allowed)
        if unknown:
            raise self.fail(f"未知字段 {', '.join(unknown)}")
        return self.data

    def child(self, key: str | int) -> _Reader:
        if isinstance(key, int):
            data = self.data[key] if isinstance(self.data, list) else None
        else:
            data = self.mapping_raw().get(key)
        path = f"{self.path}[{key}]" if isinstance(key, int) else (f"{self.path}.{key}" if self.path else key)
        return _Reader(data, path)

    def mapping_raw(self) -> Mapping[str, object]:
        return self.data if isinstance(self.data, Mapping) else {}

    def present(self, key: str) -> bool:
        return self.mapping_raw().get(key) is not None

    def text(self, key: str) -> str:
        value = self.mapping_raw().get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail("应为非空文本", key)
        return value.strip()

    def optional_text(self, key: str) -> str:
        return self.text(key) if self.present(key) else ""

    def integer(self, key: str) -> int:
        value = self.mapping_raw().get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail("应为整数", key)
        return value

    def number(self, key: str) -> Decimal:
        value = self.mapping_raw().get(key)
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail("应为数字", key)
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(f"应为数字，而不是 {value!r}", key) from None
        if not number.is_finite():
            raise self.fail("应为有限数字", key)
        return number

    def flag(self, key: str) -> bool:
        value = self.mapping_raw().get(key, False)
        if not isinstance(value, bool):
            raise self.fail("应为 true 或 false", key)
        return value

    def day(self, key: str) -> date:
        value = self.mapping_raw().get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail("应为日期（YYYY-MM-DD）", key)

    def items(self, key: str, *, required: bool = True) -> list[_Reader]:
        value = self.mapping_raw().get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.fail("应为非空列表", key)
        node = self.child(key)
        return [node.child(i) for i in range(len(value))]

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.mapping_raw().get(key)
        if value not in allowed:
            raise self.fail(f"应为 {' / '.join(allowed)} 之一，而不是 {value!r}", key)
        return str(value)


def load_scheme_text(text: str | bytes, fmt: SchemeFormat = "yaml") -> Scheme:
    """Parse a YAML or JSON scheme document and validate it (``InvalidInput`` if it cannot be used)."""
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InvalidInput(
            "scheme_document_unreadable", "考核方案文件无法解析", f"不是有效的 {fmt.upper()}：{exc}"
        ) from None
    return load_scheme(data)


def load_scheme(data: object) -> Scheme:
    """Build and validate a scheme from a parsed document (a mapping as YAML/JSON loaders give)."""
    doc = _Reader(data, "")
    doc.mapping({"year", "name", "period", "grade_bands", "shortfall_share", "vetoes", "categories"})
    period = doc.child("period")
    period.mapping({"start", "end"})
    scheme = Scheme(
        year=doc.integer("year"),
        name=doc.text("name"),
        period_start=period.day("start"),
        period_end=period.day("end"),
        categories=tuple(_category(c) for c in doc.items("categories")),
        vetoes=tuple(_veto(v) for v in doc.items("vetoes", required=False)),
    )
    if doc.present("grade_bands"):
        bands = doc.child("grade_bands")
        bands.mapping({"excellent", "good", "pass"})
        scheme = replace(
            scheme, grade_bands=tuple(GradeBand(g, bands.number(g)) for g in ("excellent", "good", "pass"))
        )
    if doc.present("shortfall_share"):
        scheme = replace(scheme, shortfall_share=doc.number("shortfall_share"))
    return validate_scheme(scheme)


def _veto(node: _Reader) -> VetoCondition:
    node.mapping({"code", "description"})
    return VetoCondition(code=node.text("code"), description=node.text("description"))


def _category(node: _Reader) -> Category:
    node.mapping({"code", "name", "total", "partial", "notice_date", "units", "indicators"})
    units = node.mapping_raw().get("units") or []
    if not isinstance(units, list) or not all(isinstance(u, str) and u for u in units):
        raise node.fail("应为单位编码的列表", "units")
    return Category(
        code=node.text("code"),
        name=node.text("name"),
        total=node.number("total"),
        partial=node.flag("partial"),
        notice_date=node.day("notice_date") if node.present("notice_date") else None,
        units=tuple(units),
        indicators=tuple(_indicator(i) for i in node.items("indicators")),
    )


def _indicator(node: _Reader) -> Indicator:
    node.mapping({"code", "name", "max_points", "partial", "content", "children", "method", "auto_source", "rule"})
    code, name = node.text("code"), node.text("name")
    if node.present("children"):
        for key in ("rule", "method", "auto_source"):
            if node.present(key):
                raise node.fail("有下级指标的指标不能设置评分规则、考核方式或数据来源", key)
        children = tuple(_indicator(c) for c in node.items("children"))
        declared = node.number("max_points") if node.present("max_points") else None
        return Indicator(
            code=code,
            name=name,
            max_points=declared if declared is not None else sum((c.max_points for c in children), Decimal(0)),
            children=children,
            content=node.optional_text("content"),
            partial=node.flag("partial"),
        )
    if not node.present("rule"):
        raise node.fail("末级指标需要 rule（评分规则）；上级指标需要 children", "rule")
    if node.flag("partial"):
        raise node.fail("partial 只用于上级指标或类别", "partial")
    return Indicator(
        code=code,
        name=name,
        max_points=node.number("max_points"),
        rule=_rule(node.child("rule")),
        methods=_methods(node),
        auto_source=_auto_source(node),
        content=node.optional_text("content"),
    )


def _methods(node: _Reader) -> tuple[CheckMethod, ...]:
    allowed = get_args(CheckMethod)
    raw = node.mapping_raw().get("method")
    values = raw if isinstance(raw, list) else [raw]
    if not values or any(v not in allowed for v in values):
        raise node.fail(f"应为 {' / '.join(allowed)} 之一或其列表，而不是 {raw!r}", "method")
    return tuple(values)


def _auto_source(node: _Reader) -> AutoSource | None:
    if not node.present("auto_source"):
        return None
    value = node.choice("auto_source", get_args(AutoSource))
    return next(s for s in get_args(AutoSource) if s == value)


def _rule(node: _Reader) -> LeafRule:
    node.mapping({"kind", "points", "points_by_participant", "points_by_rank", "higher_is_better"})
    kind = node.choice("kind", get_args(IndicatorRule))
    if kind == "deduct":
        return Deduct(points=node.number("points"))
    if kind == "bonus":
        by = node.child("points_by_participant")
        raw = by.mapping_raw()
        if not raw:
            raise node.fail("应列出参加人员及其加分，如 {principal: 5, other: 3}", "points_by_participant")
        return Bonus(points_by_participant={str(k): by.number(str(k)) for k in raw})
    if kind == "ranked":
        ranks = node.items("points_by_rank")
        return Ranked(
            points_by_rank=tuple(_Reader({"p": r.data}, r.path).number("p") for r in ranks),
            higher_is_better=node.flag("higher_is_better"),
        )
    return AllOrNothing() if kind == "all_or_nothing" else Proportional()


def dump_scheme(scheme: Scheme) -> dict[str, Any]:
    """The document of a scheme (JSON-ready: numbers as int/float, dates ISO); loads back equal."""
    return {
        "year": scheme.year,
        "name": scheme.name,
        "period": {"start": scheme.period_start.isoformat(), "end": scheme.period_end.isoformat()},
        "grade_bands": {b.grade: _num(b.min_points) for b in scheme.grade_bands},
        "shortfall_share": _num(scheme.shortfall_share),
        "vetoes": [{"code": v.code, "description": v.description} for v in scheme.vetoes],
        "categories": [_dump_category(c) for c in scheme.categories],
    }


def dump_scheme_text(scheme: Scheme, fmt: SchemeFormat = "yaml") -> str:
    doc = dump_scheme(scheme)
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2)
    text: str = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return text


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _dump_category(category: Category) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": category.code, "name": category.name, "total": _num(category.total)}
    if category.partial:
        doc["partial"] = True
    doc["notice_date"] = category.notice_date.isoformat() if category.notice_date else None
    doc["units"] = list(category.units)
    doc["indicators"] = [_dump_indicator(i) for i in category.indicators]
    return doc


def _dump_indicator(node: Indicator) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": node.code, "name": node.name, "max_points": _num(node.max_points)}
    if node.content:
        doc["content"] = node.content
    if node.partial:
        doc["partial"] = True
    if node.children:
        doc["children"] = [_dump_indicator(c) for c in node.children]
        return doc
    doc["method"] = node.methods[0] if len(node.methods) == 1 else list(node.methods)
    if node.auto_source:
        doc["auto_source"] = node.auto_source
    doc["rule"] = _dump_rule(node.rule) if node.rule else None
    return doc


def _dump_rule(rule: LeafRule) -> dict[str, Any]:
    doc: dict[str, Any] = {"kind": rule.kind}
    if isinstance(rule, Deduct):
        doc["points"] = _num(rule.points)
    elif isinstance(rule, Bonus):
        doc["points_by_participant"] = {k: _num(v) for k, v in rule.points_by_participant.items()}
    elif isinstance(rule, Ranked):
        doc["points_by_rank"] = [_num(p) for p in rule.points_by_rank]
        doc["higher_is_better"] = rule.higher_is_better
    return doc
