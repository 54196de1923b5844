"""An application's timeline as a clerk reads it (``GET /api/v1/requests/{id}/timeline``): each entry
says in words what happened (``补正告知：…``, ``延期 20 个工作日（至 2026-07-01），审批人 王主任``), who
did it, and only the fields that changed; the events an action emitted follow it.

Built from the application's audit entries (the journal), with what they do not carry themselves
read beside them: the extension's days and approver (clock facts), the consulted party
(``consultations``), the 保密审查 opinion (``confidentiality_reviews``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import application_clock_facts, confidentiality_reviews, consultations
from services.requests.schemas.timeline import ChangeOut, TimelineEntry
from services.requests.service.applications.view import ID_CONTEXT
from shared.auth import Principal
from shared.clock import SHANGHAI
from shared.crypto import mask_identity_number
from shared.db import stored_utc
from shared.vocabulary import (
    APPLICANT_TYPE_LABELS,
    APPLICATION_ACTION_LABELS,
    APPLICATION_STATE_LABELS,
    CHANNEL_LABELS,
    CONSULTATION_KIND_LABELS,
    EVENT_TYPE_LABELS,
    FEE_METHOD_LABELS,
    OUTCOME_LABELS,
    REVIEW_KIND_LABELS,
    REVIEW_OPINION_LABELS,
    REVIEW_RESULT_LABELS,
)

# The fields of an application a timeline shows, with their Chinese names; the rest (version,
# timestamps, the sweeps' stamps, blind indexes) change on every step and say nothing to a clerk.
FIELD_LABELS: dict[str, str] = {
    "state": "状态",
    "channel": "申请渠道",
    "applicant_type": "申请人类型",
    "applicant_name": "申请人",
    "applicant_id_type": "证件类型",
    "applicant_id_number": "证件号码",
    "applicant_phone": "联系电话",
    "applicant_email": "电子邮箱",
    "applicant_address": "通信地址",
    "applicant_organization": "单位名称",
    "description": "申请内容",
    "purpose": "用途",
    "delivery_format": "载体形式",
    "delivery_method": "获取方式",
    "source_ref": "来源工单号",
    "unit_code": "受理单位",
    "received_on": "收到日期",
    "due_on": "答复期限",
    "due_on_provisional": "期限待定",
    "clock_running": "正在计时",
    "handler_id": "承办人标识",
    "handler_name": "承办人",
    "correction_lapse_on": "补正期限",
    "fee": "信息处理费",
    "outcome": "办理结果",
    "legal_basis": "法律依据",
    "reply_text": "答复内容",
    "replied_on": "答复日期",
    "on_time": "按期答复",
    "concluded_on": "办结日期",
    "archived_on": "归档日期",
    "possible_duplicate_of": "疑似重复申请",
    "reasons": "说明理由",
    "public_interest": "公共利益理由",
    "review_requested_on": "提请保密审查日期",
    "review_due_on": "保密审查期限",
    "review_opined_on": "保密审查意见日期",
    "report_up_due_on": "报备期限",
    "reported_up_on": "报备日期",
    "result": "结果",
    "decided_on": "决定日期",
    "kind": "类型",
    "filed_on": "提起日期",
    "filename": "文件名",
    "calendar_year": "节假日安排年度",
}
OTHER_ACTION_LABELS: dict[str, str] = {
    "created": "收到申请",
    "due_recomputed": "重算答复期限",
    "correction_note": "补正告知",
}
ENTRY_LABELS: dict[str, str] = {
    "review_record.created": "登记行政复议或行政诉讼",
    "review_record.updated": "登记复议或诉讼结果",
    "attachment.added": "上传附件",
}


def _label(values: dict[str, Any], key: str) -> str:
    return str(values.get(key) or "")


def _outcome(code: Any) -> str:
    label = OUTCOME_LABELS.get(str(code))
    return f"{label[1]}（{label[0]}）" if label and label[0] != label[1] else (label[0] if label else str(code))


class _Side:
    """The side records an entry's words need, consumed in order as the entries come."""

    def __init__(self, extensions: list[Any], started: list[Any], closed: list[Any], opinions: list[Any]) -> None:
        self.extensions: Iterator[Any] = iter(extensions)
        self.started: Iterator[Any] = iter(started)
        self.closed: Iterator[Any] = iter(closed)
        self.opinions: Iterator[Any] = iter(opinions)


def _action_summary(action: str, after: dict[str, Any], side: _Side, note: str | None) -> str:
    label = APPLICATION_ACTION_LABELS.get(action) or OTHER_ACTION_LABELS.get(action) or action
    due = after.get("due_on")
    match action:
        case "created":
            words = f"收到申请（{CHANNEL_LABELS.get(_label(after, 'channel'), _label(after, 'channel'))}），申请人 "
            words += (
                f"{_label(after, 'applicant_name')}（{APPLICANT_TYPE_LABELS.get(_label(after, 'applicant_type'), '')}）"
            )
            return words + (f"，答复期限至 {due}" if due else "，待确认收到")
        case "register":
            return f"确认收到申请，答复期限至 {due}"
        case "request-correction":
            lapse = after.get("correction_lapse_on")
            return f"补正告知：{note or '（未记录补正事项）'}" + (f"（补正期限至 {lapse}）" if lapse else "")
        case "receive-correction":
            return "收到补正，答复期限重新计算" + (f"至 {due}" if due else "")
        case "assign":
            return f"分派承办人 {_label(after, 'handler_name')}"
        case "extend":
            fact = next(side.extensions, None)
            if fact is None:
                return f"延长答复期限（至 {due}）"
            words = f"延期 {fact.working_days} 个工作日（至 {due}），审批人 {fact.approver}"
            return words + (f"；理由：{fact.reason}" if fact.reason else "")
        case "start-consultation":
            row = next(side.started, None)
            if row is None:
                return label
            kind = CONSULTATION_KIND_LABELS.get(row.kind, row.kind)
            return f"征求{kind}意见：{row.party}（{row.started_on} 起，{row.due_on} 前答复），期间不计入答复期限"
        case "close-consultation":
            row = next(side.closed, None)
            if row is None:
                return label
            return f"征求意见结束：{row.party}" + (f"，意见：{row.opinion}" if row.opinion else "")
        case "fee-notice":
            fee = after.get("fee") or {}
            method = FEE_METHOD_LABELS.get(str(fee.get("method")), fee.get("method"))
            return f"收费通知：{method}，{fee.get('amount')} 元，缴费期限至 {fee.get('due_on')}，期间不计入答复期限"
        case "fee-payment":
            return f"已缴纳信息处理费 {(after.get('fee') or {}).get('amount')} 元，答复期限恢复计算"
        case "review":
            row = next(side.opinions, None)
            if row is None:
                return label
            words = f"保密审查意见：{REVIEW_OPINION_LABELS.get(row.opinion, row.opinion)}，审查人 {row.reviewer}"
            return words + (f"；{row.reason}" if row.reason else "")
        case "reply":
            late = "" if after.get("on_time") is not False else "（逾期答复）"
            return f"答复：{_outcome(after.get('outcome'))}{late}；依据 {_label(after, 'legal_basis')}"
        case "lapse-correction":
            return "申请人逾期未补正，视为放弃申请，办结（条例第三十条）"
        case "lapse-fee":
            return "申请人逾期未缴纳信息处理费，办结（国办函〔2020〕109号）"
        case "withdraw":
            return "申请人撤回申请" + (f"：{after['reply_text']}" if after.get("reply_text") else "")
        case "archive":
            return "归档"
        case "due_recomputed":
            return f"节假日安排载入后重算答复期限，至 {due}"
    return label


def _event_summary(event_type: str, data: dict[str, Any]) -> str:
    words = EVENT_TYPE_LABELS.get(event_type, event_type)
    if event_type == "request.replied":
        words += f"：{_outcome(data.get('outcome'))}" + ("" if data.get("on_time", True) else "（逾期）")
    elif data.get("due_on"):
        words += f"（答复期限 {data['due_on']}）"
    return words


def _shown(value: Any, key: str, ctx: Ctx, staff: bool) -> Any:
    if key != "applicant_id_number" or not value:
        return value
    clear = ctx.resources.field_cipher.decrypt(value, context=ID_CONTEXT)
    return clear if staff else mask_identity_number(clear)


def _changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, ctx: Ctx, staff: bool
) -> tuple[list[ChangeOut], dict[str, Any] | None, dict[str, Any] | None]:
    old, new = before or {}, after or {}
    keys = [k for k in FIELD_LABELS if (k in old or k in new) and old.get(k) != new.get(k)]
    if not before:  # a creation: what it set
        keys = [k for k in keys if new.get(k) not in (None, "", False)]
    shown_old = {k: _shown(old.get(k), k, ctx, staff) for k in keys}
    shown_new = {k: _shown(new.get(k), k, ctx, staff) for k in keys}
    changes = [ChangeOut(field=k, label=FIELD_LABELS[k], before=shown_old[k], after=shown_new[k]) for k in keys]
    return changes, (shown_old if before is not None else None), (shown_new if after is not None else None)


def _groups(entries: Sequence[Any]) -> list[list[Any]]:
    """Consecutive entries of one request (or, without a request id, of one actor within a second):
    what one action wrote, its events included."""
    groups: list[list[Any]] = []
    for entry in entries:
        last = groups[-1][-1] if groups else None
        same = last is not None and (
            (entry.request_id is not None and entry.request_id == last.request_id)
            or (
                entry.request_id is None
                and last.request_id is None
                and entry.actor_sub == last.actor_sub
                and abs(stored_utc(entry.at) - stored_utc(last.at)) <= timedelta(seconds=1)
            )
        )
        if same:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return groups


async def _side(session: AsyncSession, application_id: str) -> _Side:
    f, c, r = application_clock_facts, consultations, confidentiality_reviews
    extensions = (
        await session.execute(
            select(f).where(f.c.application_id == application_id, f.c.kind == "extended").order_by(f.c.seq)
        )
    ).all()
    consulted = (await session.execute(select(c).where(c.c.application_id == application_id))).all()
    started = sorted(consulted, key=lambda row: (row.started_on, row.id))
    closed = sorted((row for row in consulted if row.closed_on), key=lambda row: (row.closed_on, row.id))
    opinions = (await session.execute(select(r).where(r.c.application_id == application_id).order_by(r.c.seq))).all()
    return _Side(list(extensions), started, closed, list(opinions))


async def build_timeline(
    session: AsyncSession, ctx: Ctx, principal: Principal, application_id: str, unit_code: str, entries: Sequence[Any]
) -> list[TimelineEntry]:
    """The entries in words; within what one action wrote, the action first, then its events."""
    staff = principal.is_staff_of(unit_code)
    side = await _side(session, application_id)
    out: list[TimelineEntry] = []
    for group in _groups(entries):
        notes = [e.after.get("note") for e in group if e.action == "application.correction_note" and e.after]
        ordered = [e for e in group if not e.action.startswith("event:") and e.action != "application.correction_note"]
        ordered += [e for e in group if e.action.startswith("event:")]
        for entry in ordered:
            out.append(_entry(ctx, staff, entry, side, notes[0] if notes else None))
    return out


def _entry(ctx: Ctx, staff: bool, entry: Any, side: _Side, note: str | None) -> TimelineEntry:
    at = stored_utc(entry.at).astimezone(SHANGHAI)
    system = entry.actor_sub == "system" or entry.actor_sub.startswith("system:")
    if entry.action.startswith("event:"):
        event_type = entry.action.removeprefix("event:")
        data = (entry.after or {}).get("data") or {}
        return TimelineEntry(
            at=at,
            actor=entry.actor_sub,
            actor_name=entry.actor_name,
            action=entry.action,
            kind="event",
            label=EVENT_TYPE_LABELS.get(event_type, event_type),
            summary=_event_summary(event_type, data),
            changes=[],
            before=None,
            after=entry.after,
        )
    changes, before, after = _changes(entry.before, entry.after, ctx, staff)
    if entry.action.startswith("application."):
        action = entry.action.removeprefix("application.")
        label = APPLICATION_ACTION_LABELS.get(action) or OTHER_ACTION_LABELS.get(action) or action
        summary = _action_summary(action, entry.after or {}, side, note)
    else:
        label = ENTRY_LABELS.get(entry.action, entry.action)
        values = entry.after or {}
        summary = label
        if entry.action.startswith("review_record."):
            kind = REVIEW_KIND_LABELS.get(str(values.get("kind")), "")
            summary = (
                f"{label}{'：' + kind if kind else ''}，结果 {REVIEW_RESULT_LABELS.get(str(values.get('result')), '')}"
            )
    return TimelineEntry(
        at=at,
        actor=entry.actor_sub,
        actor_name=entry.actor_name,
        action=entry.action,
        kind="system" if system else "action",
        label=label,
        summary=summary if summary != label or not changes else _describe(label, changes),
        changes=changes,
        before=before,
        after=after,
    )


def _describe(label: str, changes: list[ChangeOut]) -> str:
    """An action without words of its own (one added later): its label and what changed."""
    parts = []
    for change in changes[:4]:
        value = change.after
        if change.field == "state":
            value = APPLICATION_STATE_LABELS.get(str(value), value)
        parts.append(f"{change.label} {value}")
    return f"{label}：{'，'.join(parts)}"
