"""Events as findings on an indicator (DESIGN §3 reactions of scoring): which event feeds which
``auto_source``, the date that picks its scheme, what it cites, and the system entry it becomes.

Pure: the caller passes the event's type, its data (as published) and its day in Asia/Shanghai.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from services.scoring.domain.scheme import Indicator
from services.scoring.domain.scoring import Entry, appraisal_ratio
from shared.domain import InvalidInput
from shared.vocabulary import AutoSource

# The event types scoring consumes for its indicators, and the source each feeds (DESIGN §3).
EVENT_SOURCES: Mapping[str, AutoSource] = {
    "request.overdue": "request_overdue",
    "request.review_decided": "review_corrected",
    "hotline.workorder_unanswered": "hotline_unanswered",
    "appraisal.result_published": "public_appraisal",
}


@dataclass(frozen=True)
class Finding:
    """What an event says about a unit, before it is placed on a sheet."""

    auto_source: AutoSource
    unit_code: str
    on: date  # picks the scheme: the one whose assessment period holds this day
    ref_kind: str  # request / workorder / campaign
    ref_id: str
    evidence: str
    score: Decimal | None = None  # public_appraisal only


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidInput("event_data_invalid", "事件数据不完整", f"缺少 {key}", field=key)
    return value


LEGAL_ZONE = ZoneInfo("Asia/Shanghai")  # DESIGN §4: legal dates are Asia/Shanghai


def _day(value: Any, key: str) -> date:
    """A date, or the Asia/Shanghai day of an aware timestamp (ISO text as events carry it)."""
    if isinstance(value, str) and len(value) > 10:
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(LEGAL_ZONE).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput("event_data_invalid", "事件数据不完整", f"{key} 不是日期", field=key)


def finding_of(event_type: str, data: Mapping[str, Any], event_day: date) -> Finding | None:
    """The finding an event carries, or None when it carries none (a review not corrected).

    Dates (the issue: "the scheme whose period holds the event's date"):
    - ``request.overdue``: the missed due date (考核方案 附件2: 没有在规定时间内提供 — the lapse
      belongs to the period the deadline fell in, however late the sweep ran);
    - ``hotline.workorder_unanswered``: the work order's ``due_at`` (its day in Asia/Shanghai),
      for the same reason;
    - ``request.review_decided``: the day of the event (the catalogue carries no decision date);
    - ``appraisal.result_published``: the day of the event within the campaign's year, else the
      last day of that year (a 2023 appraisal published in January 2024 counts for 2023).
    """
    if event_type == "request.overdue":
        request_id, tracking_no = _text(data, "request_id"), _text(data, "tracking_no")
        due_on = _day(data.get("due_on"), "due_on")
        return Finding(
            "request_overdue",
            _text(data, "unit_code"),
            due_on,
            "request",
            request_id,
            f"依申请公开件 {tracking_no} 未在规定时间内答复（应于 {due_on.isoformat()} 前答复）",
        )
    if event_type == "request.review_decided":
        if data.get("result") != "corrected":
            return None
        kind = "行政复议" if data.get("kind") == "administrative_review" else "行政诉讼"
        request_id = _text(data, "request_id")
        return Finding(
            "review_corrected",
            _text(data, "unit_code"),
            event_day,
            "request",
            request_id,
            f"依申请公开件 {request_id} 经{kind}被纠错（败诉）",
        )
    if event_type == "hotline.workorder_unanswered":
        workorder_no = _text(data, "workorder_no")
        on = _day(data.get("due_at"), "due_at")
        return Finding(
            "hotline_unanswered",
            _text(data, "unit_code"),
            on,
            "workorder",
            workorder_no,
            f"12345工单 {workorder_no} 未按要求及时回应（应于 {on.isoformat()} 前回应）",
        )
    if event_type == "appraisal.result_published":
        campaign_id = _text(data, "campaign_id")
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise InvalidInput("event_data_invalid", "事件数据不完整", "缺少 year", field="year")
        try:
            score = Decimal(str(data.get("score")))
        except InvalidOperation:
            raise InvalidInput("event_data_invalid", "事件数据不完整", "score 不是数字", field="score") from None
        appraisal_ratio(score)  # 0–100, else InvalidInput
        on = event_day if event_day.year == year else date(year, 12, 31)
        return Finding(
            "public_appraisal",
            _text(data, "unit_code"),
            on,
            "campaign",
            campaign_id,
            f"社会评议 {campaign_id}：{year}年度得分 {score}（{data.get('rating') or '—'}），按比例换算",
            score=score,
        )
    return None


def system_entry(leaf: Indicator, finding: Finding) -> Entry:
    """The entry a finding becomes on its leaf: one occurrence on a deduct leaf; the appraisal
    score as a ratio on the proportional public_appraisal leaf (社会评议办法 第八条: 换算成相应分值)."""
    if finding.auto_source == "public_appraisal":
        assert finding.score is not None
        return Entry(leaf.code, "system", ratio=appraisal_ratio(finding.score), method=None, on=finding.on)
    return Entry(leaf.code, "system", occurrences=1, on=finding.on)
