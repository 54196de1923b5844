"""Validation errors in Chinese (校验错误的中文说明): a sentence for each pydantic error type and the
field's Chinese name, for the 422 problem of :mod:`shared.errors`.

The field's name comes from the route itself: the model field's ``title`` or ``description`` (its
Chinese part: ``"受理单位代码"``, ``"申请渠道 (Art. 31 …)"`` → ``申请渠道``), or a query/path/header
parameter's; failing those, :data:`COMMON_FIELD_LABELS`; failing that, the field's own name. The
English message pydantic wrote is kept beside it (``message_en``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from shared.errors import ProblemError

_CJK = re.compile(r"[\u4e00-\u9fff]")

# Names the schemas leave undescribed, by field name.
COMMON_FIELD_LABELS: dict[str, str] = {
    "on": "办理日期",
    "unit_code": "单位代码",
    "unit_codes": "单位代码",
    "name": "名称",
    "type": "类型",
    "kind": "类型",
    "state": "状态",
    "channel": "申请渠道",
    "applicant_type": "申请人类型",
    "applicant": "申请人",
    "delivery": "获取信息的方式",
    "format": "载体形式",
    "method": "方式",
    "limit": "每页条数",
    "cursor": "分页游标",
    "q": "搜索词",
    "year": "年度",
    "region": "行政区划代码",
    "due_before": "到期日之前",
    "overdue": "是否逾期",
    "handler_id": "承办人标识",
    "handler_name": "承办人姓名",
    "party": "被征求意见方",
    "opinion": "意见",
    "reason": "理由",
    "approver": "审批人",
    "working_days": "工作日数",
    "pages": "页数",
    "outcome": "办理结果",
    "legal_basis": "法律依据",
    "text": "答复内容",
    "reviewer": "审查人",
    "result": "结果",
    "filed_on": "提起日期",
    "decided_on": "决定日期",
    "after_review": "是否复议后起诉",
    "event_ids": "事件 ID",
    "roles": "角色",
    "sub": "用户标识",
    "contacts": "联系人",
    "phone": "电话",
    "email": "电子邮箱",
    "title": "职务",
    "role": "角色",
    "holidays": "法定节假日",
    "makeup_workdays": "调休上班日",
    "day": "日期",
    "if-match": "If-Match 请求头",
    "idempotency-key": "Idempotency-Key 请求头",
    "query_code": "查询码",
    "event_type": "事件类型",
    "status": "状态",
    "url": "网址",
    "target": "接收方类型",
    "opens_at": "开始时间",
    "closes_at": "截止时间",
    "tracking_no": "受理编号",
    "body": "请求体",
    # path ids and the newer services' fields (scoring, appraisal, accountability, notifier)
    "application_id": "申请编号",
    "attachment_id": "附件编号",
    "consultation_id": "征求意见编号",
    "record_id": "复议诉讼记录编号",
    "scheme_id": "考核方案编号",
    "sheet_id": "评分表编号",
    "entry_id": "评分记录编号",
    "veto_id": "否决记录编号",
    "case_id": "案件编号",
    "appeal_id": "申诉编号",
    "order_id": "整改通知编号",
    "evidence_id": "证据编号",
    "notification_id": "通知编号",
    "message_id": "消息编号",
    "endpoint_id": "接收方编号",
    "subscription_id": "订阅编号",
    "event_id": "事件编号",
    "unit": "单位",
    "today": "执行日期",
    "note": "说明",
    "description": "所需信息描述",
    "purpose": "用途",
    "delivered_on": "送达日期",
    "objects": "是否反对公开",
    "report_up_overdue": "是否报备逾期",
    "period_holds": "考核期包含的日期",
    "code": "代码",
    "source": "来源",
    "evidence": "印证材料",
    "occurrences": "次数",
    "participant": "加分对象",
    "ratio": "比例",
    "measure": "指标数值",
    "points": "分值",
    "target_units": "被评议单位",
    "methods": "评议方式",
    "questions": "问卷题目",
    "choices": "选项",
    "required": "是否必答",
    "max_selected": "最多可选项数",
    "min_responses": "最少有效答卷数",
    "conversion": "等次换算分值",
    "satisfied": "满意对应分值",
    "basically_satisfied": "基本满意对应分值",
    "unsatisfied": "不满意对应分值",
    "bands": "等次分数线",
    "satisfied_from": "满意分数线",
    "basically_satisfied_from": "基本满意分数线",
    "problems": "问题清单",
    "category": "类别",
    "violation": "违规情形",
    "violations": "违规情形",
    "persons": "当事人",
    "person_id": "当事人标识",
    "appellant": "申诉人",
    "unit_sanctions": "对单位的处理",
    "person_sanctions": "对当事人的处理",
    "pending": "是否尚未作出复核决定",
    "action": "操作",
    "basis": "整改依据",
    "recipient": "接收人",
    "created_from": "创建时间起",
    "created_to": "创建时间止",
    "unread": "是否只看未读",
    "active": "是否启用",
    "event_types": "事件类型",
    "secret": "签名密钥",
}

# The 422 problem as /docs shows it (shared.errors.ValidationProblem).
VALIDATION_PROBLEM_EXAMPLE: dict[str, Any] = {
    "type": "https://gongkai.gov.cn/problems/validation_failed",
    "title": "请求参数校验失败",
    "status": 422,
    "code": "validation_failed",
    "detail": "延长的工作日数不能大于 20",
    "instance": "/api/v1/requests/6f1c2a9e-3b7d-4c1a-9e52-8d0f4b7a2c31/extend",
    "request_id": "3f9a1c7e0b2d4e5f8a6b7c8d9e0f1a2b",
    "errors": [
        {
            "field": "body.working_days",
            "field_label": "延长的工作日数",
            "message": "延长的工作日数不能大于 20",
            "message_en": "Input should be less than or equal to 20",
            "type": "less_than_equal",
        }
    ],
}


@cache
def _vocabularies() -> dict[frozenset[str], Mapping[str, Any]]:
    from shared import vocabulary  # the value sets with their labels, by their codes

    return {
        frozenset(labels): labels
        for name, labels in vars(vocabulary).items()
        if name.endswith("_LABELS") and isinstance(labels, Mapping)
    }


def _expected(ctx: Mapping[str, Any]) -> str:
    """pydantic's ``'a', 'b' or 'c'`` as ``a、b、c`` — with their Chinese labels when the values are
    one of the vocabularies (``in_person（当面提交）``)."""
    expected = str(ctx.get("expected", ""))
    values = re.findall(r"'([^']*)'", expected)
    if not values:
        return expected
    # The vocabulary that is exactly these values, else the labels certain on their own (a subset
    # of a vocabulary, such as the actions a path accepts).
    labels = _vocabularies().get(frozenset(values)) or _label_index()[0]
    shown = []
    for value in values:
        label = labels.get(value)
        label = label[0] if isinstance(label, tuple) else label
        shown.append(f"{value}（{label}）" if label else value)
    return "、".join(shown)


def _reason(ctx: Mapping[str, Any]) -> str:
    error = ctx.get("error")
    return str(error) if error is not None and _CJK.search(str(error)) else ""


def _sentence(error_type: str, ctx: Mapping[str, Any]) -> str:
    """The Chinese sentence (without the field's name) for one pydantic error."""
    c = ctx
    sentences: dict[str, str] = {
        "missing": "为必填项",
        "extra_forbidden": "不是可接受的字段",
        "string_type": "须为字符串",
        "string_unicode": "须为有效的 Unicode 文本",
        "string_too_short": f"至少须有 {c.get('min_length')} 个字符",
        "string_too_long": f"最多 {c.get('max_length')} 个字符",
        "string_pattern_mismatch": "格式不正确，或含有不允许的字符",
        "string_not_ascii": "只能包含 ASCII 字符",
        "int_type": "须为整数",
        "int_parsing": "须为整数",
        "int_parsing_size": "数值过大",
        "int_from_float": "须为整数，不能带小数",
        "float_type": "须为数字",
        "float_parsing": "须为数字",
        "finite_number": "须为有限的数字",
        "decimal_type": "须为数字",
        "decimal_parsing": "须为数字",
        "bool_type": "须为布尔值（true 或 false）",
        "bool_parsing": "须为布尔值（true 或 false）",
        "greater_than": f"须大于 {c.get('gt')}",
        "greater_than_equal": f"不能小于 {c.get('ge')}",
        "less_than": f"须小于 {c.get('lt')}",
        "less_than_equal": f"不能大于 {c.get('le')}",
        "multiple_of": f"须为 {c.get('multiple_of')} 的倍数",
        "literal_error": f"须为以下值之一：{_expected(c)}",
        "enum": f"须为以下值之一：{_expected(c)}",
        "too_short": f"至少须有 {c.get('min_length')} 项",
        "too_long": f"最多 {c.get('max_length')} 项",
        "list_type": "须为数组",
        "tuple_type": "须为数组",
        "set_type": "须为数组",
        "dict_type": "须为对象",
        "model_type": "须为对象",
        "model_attributes_type": "须为对象",
        "dataclass_type": "须为对象",
        "date_type": "须为日期（格式 YYYY-MM-DD，如 2026-03-02）",
        "date_parsing": "须为日期（格式 YYYY-MM-DD，如 2026-03-02）",
        "date_from_datetime_parsing": "须为日期（格式 YYYY-MM-DD，如 2026-03-02）",
        "date_from_datetime_inexact": "须为日期，不能带时间",
        "date_past": "须为过去的日期",
        "date_future": "须为将来的日期",
        "datetime_type": "须为日期时间（如 2026-03-02T09:30:00+08:00）",
        "datetime_parsing": "须为日期时间（如 2026-03-02T09:30:00+08:00）",
        "datetime_from_date_parsing": "须为日期时间（如 2026-03-02T09:30:00+08:00）",
        "datetime_object_invalid": "须为有效的日期时间",
        "datetime_past": "须为过去的时间",
        "datetime_future": "须为将来的时间",
        "timezone_aware": "须带时区（如 +08:00）",
        "timezone_naive": "不能带时区",
        "time_type": "须为时间（如 09:30）",
        "time_parsing": "须为时间（如 09:30）",
        "uuid_type": "须为 UUID",
        "uuid_parsing": "须为 UUID",
        "url_type": "须为网址",
        "url_parsing": "须为网址",
        "url_scheme": "网址协议不被接受",
        "bytes_type": "须为文本",
        "none_required": "须为空（null）",
        "union_tag_invalid": "类型标记不被接受",
        "union_tag_not_found": "缺少类型标记",
        "json_invalid": "不是合法的 JSON",
        "json_type": "须为 JSON 文本",
        "recursion_loop": "存在循环引用",
        "recursion_depth_exceeded": "嵌套过深",
    }
    if error_type in ("value_error", "assertion_error"):
        return _reason(ctx) or "取值不符合要求"
    return sentences.get(error_type, "取值无效")


def chinese_name(text: str | None) -> str | None:
    """``"申请渠道 (Art. 31 receipt rules)"`` → ``申请渠道``; None when the text starts in English."""
    if not text:
        return None
    head = re.split(r"[ ]?[(（/:：—,，;；.。]|\s[-—]\s|[A-Za-z]", text.strip(), maxsplit=1)[0].strip()
    return head if _CJK.search(head) and len(head) <= 30 else None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
        for inner in getattr(candidate, "__args__", ()):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None


def _label_in_model(model: type[BaseModel] | None, path: Sequence[Any]) -> str | None:
    label = None
    for part in path:
        if model is None or not isinstance(part, str):
            continue
        info = model.model_fields.get(part) or next((f for f in model.model_fields.values() if f.alias == part), None)
        if info is None:
            return None
        label = chinese_name(info.title) or chinese_name(info.description)
        model = _model_of(info.annotation)
    return label


def _route_parameter(route: Any, where: str, name: str) -> Any:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    stack, seen = [dependant], []
    while stack:
        current = stack.pop()
        seen.append(current)
        for param in getattr(current, f"{where}_params", []):
            if param.alias == name or param.name == name:
                return param
        stack.extend(d for d in current.dependencies if d not in seen)
    return None


def field_label(route: Any, loc: Sequence[Any]) -> str:
    """The Chinese name of the field at ``loc`` (``("body", "applicant", "name")``) of ``route``."""
    if not loc:
        return "请求"
    where, rest = str(loc[0]), list(loc[1:])
    label = None
    if where == "body":
        body_field = getattr(route, "body_field", None)
        model = _model_of(getattr(getattr(body_field, "field_info", None), "annotation", None))
        if model is None and body_field is not None:
            model = _model_of(getattr(body_field, "type_", None))
        label = _label_in_model(model, rest) if rest else "请求体"
    elif where in ("query", "path", "header", "cookie") and rest:
        param = _route_parameter(route, where, str(rest[0]))
        info = getattr(param, "field_info", None)
        if info is not None:
            label = chinese_name(info.title) or chinese_name(info.description)
    last = next((str(p) for p in reversed(rest) if isinstance(p, str)), where)
    label = label or COMMON_FIELD_LABELS.get(last.lower()) or f"字段「{last}」"
    indexes = [p for p in rest if isinstance(p, int)]
    return label + "".join(f"（第 {i + 1} 项）" for i in indexes)


def translate(route: Any, error: Mapping[str, Any]) -> dict[str, str]:
    """One pydantic error as ``{field, field_label, message, message_en, type}``."""
    loc = tuple(error.get("loc", ()))
    label = field_label(route, loc)
    return {
        "field": ".".join(str(part) for part in loc),
        "field_label": label,
        "message": f"{label}{_sentence(str(error.get('type')), error.get('ctx') or {})}",
        "message_en": str(error.get("msg", "")),
        "type": str(error.get("type")),
    }


# -- problem details in words (人话): codes by their labels only, UTC instants in Beijing time -------

_UTC_INSTANT = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)")
_CODE_TOKEN = re.compile(r"(?<![\w.\-])([a-z][a-z0-9_]*(?:[.\-][a-z0-9_]+)*)(?![\w\-])")
_QUOTED = re.compile(r"(「[^」]*」)")
# A code already followed by its label (``registered（已登记）``, as the validation messages write
# them): the label stays, the code goes.
_CODE_WITH_LABEL = re.compile(_CODE_TOKEN.pattern + r"（([^（）]*[\u4e00-\u9fff][^（）]*)）")


@cache
def _label_index() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Codes with one label across the vocabularies, and every set by name (for the extensions)."""
    from shared import vocabulary

    sets: dict[str, dict[str, str]] = {}
    for name, labels in vars(vocabulary).items():
        if name.endswith("_LABELS") and isinstance(labels, Mapping):
            sets[name] = {k: (v[0] if isinstance(v, tuple) else v) for k, v in labels.items()}
    seen: dict[str, set[str]] = {}
    for labels in sets.values():
        for code, label in labels.items():
            seen.setdefault(code, set()).add(label)
    unique = {code: next(iter(labels)) for code, labels in seen.items() if len(labels) == 1 and len(code) > 3}
    return unique, sets


def _beijing(match: re.Match[str]) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}") + timedelta(hours=8)
    return f"{moment:%Y-%m-%d %H:%M}（北京时间）"


# The vocabularies of the resource a path names, tried first for a state or action a problem tells
# (``open`` is a state of sheets, campaigns, cases and orders alike).
_RESOURCE_SETS = {
    "requests": "APPLICATION_",
    "sheets": "SHEET_",
    "schemes": "SCHEME_",
    "campaigns": "CAMPAIGN_",
    "cases": "CASE_",
    "rectification-orders": "RECTIFICATION_ORDER_",
}


def humanize_detail(
    detail: str | None, extensions: Mapping[str, Any] | None = None, path: str | None = None
) -> str | None:
    """A problem's ``detail`` for people (人话): a UTC instant as Beijing time, and the codes it
    names (states, actions, outcomes …) by their Chinese label alone — ``in_progress`` → ``办理中``,
    ``in_person（当面提交）`` → ``当面提交`` — where the label is certain: unique across the
    vocabularies, or told by the extension that carries the code (``current_state``, ``state``,
    ``action``, ``allowed_actions``: looked up first in the vocabularies of the resource ``path``
    names); a member name (``unit_code``) by its Chinese name. The codes stay in the problem's
    machine-readable members."""
    if not detail:
        return detail
    unique, sets = _label_index()
    known = dict(unique)
    resource = (path or "").removeprefix("/api/v1/").split("/", 1)[0]
    preferred = _RESOURCE_SETS.get(resource, "\0")
    ordered = sorted(sets.items(), key=lambda item: not item[0].startswith(preferred))
    told = [(k, (extensions or {}).get(k)) for k in ("current_state", "state", "action")]
    told += [("allowed_actions", value) for value in (extensions or {}).get("allowed_actions") or ()]
    for key, value in told:
        suffix = "STATE_LABELS" if key.endswith("state") else "ACTION_LABELS"
        for name, labels in ordered:
            if isinstance(value, str) and name.endswith(suffix) and value in labels:
                known[value] = labels[value]
                break

    def words(text: str) -> str:
        text = _CODE_WITH_LABEL.sub(lambda m: m.group(2), _UTC_INSTANT.sub(_beijing, text))
        return _CODE_TOKEN.sub(lambda m: known.get(m.group(1)) or _field_name(m.group(1)), text)

    # What the caller sent, quoted back (「…」), stays as sent.
    parts = _QUOTED.split(detail)
    return "".join(part if part.startswith("「") else words(part) for part in parts)


def _field_name(token: str) -> str:
    """A member name a detail mentions (``unit_code``) by its Chinese name; a plain word as it is."""
    return COMMON_FIELD_LABELS.get(token, token) if "_" in token else token


def invalid_choice(field: str, field_label: str, value: object, allowed: Mapping[str, str]) -> ProblemError:
    """422 for a value outside a closed set (an unknown ``?state=``), naming the allowed values with
    their Chinese labels; shaped like a validation problem (``errors``)."""
    from shared.errors import ProblemError  # errors imports this module

    choices = "、".join(f"{code}（{label}）" if label else code for code, label in allowed.items())
    message = f"{field_label}须为以下值之一：{choices}"
    return ProblemError(
        422,
        "validation_failed",
        "请求参数校验失败",
        f"{field_label}「{value}」无效；{message}",
        errors=[
            {
                "field": field,
                "field_label": field_label,
                "message": message,
                "message_en": f"Input should be one of {', '.join(allowed)}",
                "type": "literal_error",
            }
        ],
        allowed=list(allowed),
    )
