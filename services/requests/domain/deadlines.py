"""The statutory clock of a disclosure application (答复期限), able to explain itself (DESIGN §5).

The clock's history is a list of facts, each with the legal date it happened on. From them
``compute_deadline`` derives the due date (答复期限届满日) and every period counted or excluded.

Conventions (DESIGN §4–§5):

- N working days from day D is the N-th working day after D: the day of receipt is not counted.
- The reply period (答复期限) is a budget of counted working days: ``reply_working_days`` plus any
  extension. The due date is the working day on which the budget is used up.
- A pause (consultation 征求意见, fee 缴费, suspension 期限中止) excludes the working days after the
  day it starts up to and including the day it ends; overlapping pauses exclude each working day
  once. A pause still open is counted as if it ended ``today``: the due date shown is the earliest
  the reply can fall due, and it moves on day by day until the pause ends (``running`` is False).
- Because a pause only excludes days *after* its first day, a pause that starts on or after the
  due date does not move it: the period had already run in full by the end of the due day. Nor
  does it stop the clock (``running`` stays True): lateness, once reached, stays.
- A pause may end by itself (``PauseStarted.until``): a consultation at the end of the consulted
  party's 15 working days (条例 第三十二条、第三十四条), a request for reasons at the end of the
  period the office set (条例 第三十五条). It counts up to that day at most, recorded or not.
- A deferral (``Deferred``, 条例 第三十五条) replaces the due date with the one the office set;
  from then on it is fixed (no pause moves it, no extension follows it).
- An extension (延长) adds its working days to the budget, i.e. to the current due date.
- A correction notice (补正通知) stops the clock; the corrected application restarts the period in
  full from the day it arrives (条例 第三十条): the due date is N working days after that day.
  Days used, pauses and extensions before the restart no longer count toward the due date; a pause
  still open after the restart goes on excluding its days. The extension-once rule counts an
  extension granted before the restart all the same: 条例 第三十三条 allows one extension per
  application, and a restart renews the reply period, not the right to extend it.

Facts are taken in the order of their dates; facts of the same day in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from services.requests.domain.facts import (
    ClockFact,
    CorrectionReceived,
    CorrectionRequested,
    Deferred,
    EndCause,
    Extended,
    PartyKind,
    PauseEnded,
    PauseKind,
    PauseStarted,
    Received,
)
from services.requests.domain.rules import RuleSet
from shared.calendar import NonWorkingDay, WorkingDayCalendar
from shared.domain import DomainError

__all__ = [
    "ClockFact",
    "CorrectionReceived",
    "CorrectionRequested",
    "Deadline",
    "Deferred",
    "Extended",
    "PauseEnded",
    "PauseKind",
    "PauseStarted",
    "Period",
    "Received",
    "compute_deadline",
    "due_soon_mark",
    "is_overdue",
    "working_days_left",
]


@dataclass(frozen=True)
class Period:
    """One line of a deadline's explanation."""

    kind: Literal[
        "reply_period",
        "correction_wait",
        "consultation",
        "fee",
        "suspension",
        "reasons",
        "extension",
        "deferral",
        "restart",
    ]
    start: date
    end: date | None  # None: still open
    working_days: int  # counted (reply_period, restart, extension) or excluded (pauses, correction wait)
    counted: bool  # whether these days make up the current due date
    note: str  # Chinese


@dataclass(frozen=True)
class Deadline:
    rule_set: str
    start: date | None  # the receipt day or the last restart day; None before receipt
    due_on: date | None  # None before receipt and while awaiting a correction (clock stopped)
    provisional: bool  # True if a year between start and due_on is not known to the calendar
    running: bool  # False before receipt, while paused and while awaiting a correction
    paused_by: tuple[PauseKind, ...]  # kinds of the open pauses, each once
    periods: tuple[Period, ...]  # in order of their start
    skipped: tuple[NonWorkingDay, ...]  # non-working days in (start, due_on], with names
    makeup_workdays: tuple[tuple[date, str], ...]  # 调休上班 days in (start, due_on], counted as working days
    deferred: bool = False  # due_on is a deferred due date the office set (条例 第三十五条), not counted


_PAUSE_NOTES: dict[str, str] = {
    "consultation": "征求第三方或其他机关意见，所需时间不计算在答复期限内（条例第三十二条、第三十四条）",
    "fee": "通知缴纳信息处理费至缴费，期间不计算在答复期限内（条例第四十二条；国办函〔2020〕109号）",
    "suspension": "因不可抗力或其他法定事由期限中止，中止原因消除后恢复计算",
    "reasons": "申请数量、频次明显超过合理范围，要求申请人说明理由（条例第三十五条），至申请人说明理由或行政机关确定的期限届满，期间不计算在答复期限内",
}
_LAPSE_NOTES: dict[str, str] = {
    "third_party": "第三方自征求意见之日起15个工作日内未提出意见，征求意见期限届满即告结束，由行政机关依照条例第三十二条决定是否公开；答复期限自届满次日恢复计算",
    "agency": "被征求意见机关逾期未提出意见，视为同意公开（条例第三十四条），征求意见期限届满即告结束；答复期限自届满次日恢复计算",
    "reasons": "申请人在行政机关确定的期限内未说明理由，期限届满即告结束；答复期限自届满次日恢复计算",
}


@dataclass
class _Pause:
    ref: str
    kind: PauseKind
    start: date
    end: date | None  # None: still open
    until: date | None = None  # the day it ends by itself, if not ended before
    party: PartyKind | None = None
    cause: EndCause = "ended"

    def end_as_of(self, today: date) -> date:
        """The last paused day as of ``today``: its end, or today while open — but never past the
        day it ends by itself (``until``), whether or not that lapse has been recorded yet."""
        if self.end is not None:
            return self.end
        current = max(self.start, today)
        return min(current, self.until) if self.until is not None else current

    def open_on(self, today: date) -> bool:
        return self.end is None and (self.until is None or today <= self.until)


@dataclass
class _Segment:
    """The clock from one start (receipt or corrected application) to the next correction notice."""

    kind: Literal["reply_period", "restart"]
    start: date
    stopped_on: date | None = None  # the correction notice that stopped it


@dataclass
class _History:
    segments: list[_Segment]
    corrections: list[tuple[date, date | None]]  # (requested, received or None while awaited)
    pauses: list[_Pause]  # in order of their start
    extensions: list[tuple[Extended, int]]  # with the index of the segment they were granted in
    deferrals: list[tuple[Deferred, int]]  # likewise


def _replay(facts: Sequence[ClockFact]) -> _History:
    """Check the facts make a possible history and sort them into segments, pauses and extensions."""
    ordered = sorted(facts, key=lambda fact: fact.on)  # stable: same-day facts keep their order
    history = _History([], [], [], [], [])
    if not ordered:
        return history
    first = ordered[0]
    if not isinstance(first, Received):
        raise DomainError(
            "clock_fact_before_receipt", "收到申请之前不能有期限事项", f"{type(first).__name__} {first.on.isoformat()}"
        )
    open_pauses: dict[str, _Pause] = {}
    for fact in ordered:
        awaiting = bool(history.corrections) and history.corrections[-1][1] is None
        if isinstance(fact, Received):
            if history.segments:
                raise DomainError("already_received", "申请已收到，收到日期只能有一个", fact.on.isoformat())
            history.segments.append(_Segment("reply_period", fact.on))
        elif isinstance(fact, CorrectionRequested):
            if awaiting:
                raise DomainError(
                    "correction_already_requested", "已通知补正，尚未收到补正后的申请", fact.on.isoformat()
                )
            history.segments[-1].stopped_on = fact.on
            history.corrections.append((fact.on, None))
        elif isinstance(fact, CorrectionReceived):
            if not awaiting:
                raise DomainError("correction_not_requested", "未通知补正，不能收到补正后的申请", fact.on.isoformat())
            history.corrections[-1] = (history.corrections[-1][0], fact.on)
            history.segments.append(_Segment("restart", fact.on))
        elif isinstance(fact, PauseStarted):
            if fact.ref in open_pauses:
                raise DomainError("pause_already_open", "该暂停事项已在进行中", fact.ref)
            pause = _Pause(fact.ref, fact.kind, fact.on, None, fact.until, fact.party)
            open_pauses[fact.ref] = pause
            history.pauses.append(pause)
        elif isinstance(fact, PauseEnded):
            if fact.ref not in open_pauses:
                raise DomainError("pause_not_open", "没有进行中的该暂停事项", fact.ref)
            pause = open_pauses.pop(fact.ref)
            pause.end, pause.cause = fact.on, fact.cause
        elif isinstance(fact, Deferred):
            history.deferrals.append((fact, len(history.segments) - 1))
        else:
            history.extensions.append((fact, len(history.segments) - 1))
    return history


def _exclusions(calendar: WorkingDayCalendar, low: date, high: date, windows: Sequence[tuple[date, date]]) -> list[int]:
    """Working days each window (a, b] excludes within (low, high], a day covered by several windows
    going to the first of them. ``windows`` are in order of their start, so the days earlier windows
    cover after a later window's start are exactly (start, furthest end so far]."""
    covered_to = low
    counts = []
    for a, b in windows:
        lower, upper = max(a, covered_to), min(b, high)
        counts.append(calendar.working_days_between(lower, upper) if upper > lower else 0)
        covered_to = max(covered_to, b)
    return counts


def _due(calendar: WorkingDayCalendar, start: date, budget: int, windows: Sequence[tuple[date, date]]) -> date:
    """The working day on which ``budget`` counted working days after ``start`` are used up, the
    working days inside the windows (a, b] not counting."""
    current, remaining = start, budget
    for a, b in windows:  # in order of their start
        if b <= current:
            continue
        if a > current:
            available = calendar.working_days_between(current, a)
            if remaining <= available:
                break  # used up before this window opens — and so before every later one
            remaining -= available
        current = b
    return calendar.add_working_days(current, remaining).day


def compute_deadline(
    rules: RuleSet, calendar: WorkingDayCalendar, facts: Sequence[ClockFact], *, today: date
) -> Deadline:
    """The due date of the reply and how it came about. ``today`` only closes open pauses (as if
    they ended today, or on the day they end by themselves if that came first) and open correction
    waits; nothing else depends on it."""
    history = _replay(facts)
    if not history.segments:
        return Deadline(rules.name, None, None, False, False, (), (), (), ())

    current = history.segments[-1]
    current_index = len(history.segments) - 1
    awaiting_correction = current.stopped_on is not None
    windows = [(p.start, p.end_as_of(today)) for p in history.pauses]

    due_on: date | None = None
    counting_due: date | None = None  # the 第三十三条 due date, before any deferral replaced it
    deferral: Deferred | None = None
    periods: list[tuple[date, int, Period]] = []  # (sort day, tie-break, period)
    for deferred, segment_index in history.deferrals:
        if segment_index == current_index and not awaiting_correction:
            deferral = deferred
        else:
            periods.append((deferred.on, 4, _deferral_period(deferred, None, calendar, superseded=True)))
    if not awaiting_correction:
        budget = rules.reply_working_days
        for extension, segment_index in history.extensions:
            if segment_index == current_index:
                budget += extension.working_days
                line = _extension_period(rules, extension, calendar, current.start, budget, windows)
                periods.append((extension.on, 3, line))
            else:
                periods.append((extension.on, 3, _superseded_extension_period(extension)))
        counting_due = due_on = _due(calendar, current.start, budget, windows)
        if deferral is not None:
            periods.append((deferral.on, 4, _deferral_period(deferral, counting_due, calendar, superseded=False)))
            due_on = deferral.due_on

    # The lines for the segments: superseded ones first, then the running one.
    for segment in history.segments:
        periods.append((segment.start, 0, _segment_period(rules, calendar, segment, counting_due, windows)))
    for requested, received in history.corrections:
        end = received if received is not None else max(requested, today)
        note = "通知补正，答复期限停止计算，自收到补正后的申请之日起重新计算（条例第三十条）"
        if received is None:
            note += "；尚未收到补正后的申请"
        waited = calendar.working_days_between(requested, end)
        periods.append((requested, 1, Period("correction_wait", requested, received, waited, False, note)))

    # Each pause line shows the working days it removes from the current count: none for a pause
    # that ended before the restart or that started once the period had run out.
    excluded = (
        _exclusions(calendar, current.start, counting_due, windows) if counting_due is not None else [0] * len(windows)
    )
    for pause, (a, b), count in zip(history.pauses, windows, excluded, strict=False):
        periods.append(
            (pause.start, 2, _pause_period(calendar, pause, a, b, count, current.start, counting_due, today, deferral))
        )

    # A pause pauses only while open and begun before the due date: once the due day has passed
    # without a reply, lateness stays (DESIGN §5). A deferred due date is fixed: nothing pauses it.
    open_kinds: tuple[PauseKind, ...] = ()
    if deferral is None:
        open_kinds = tuple(
            dict.fromkeys(p.kind for p in history.pauses if p.open_on(today) and (due_on is None or p.start < due_on))
        )
    periods.sort(key=lambda item: (item[0], item[1]))
    skipped: tuple[NonWorkingDay, ...] = ()
    makeup: tuple[tuple[date, str], ...] = ()
    provisional = False
    if due_on is not None:
        skipped = tuple(calendar.non_working_days(current.start, due_on))
        makeup = tuple(
            (day, name)
            for day in _days(current.start, due_on)
            if (name := calendar.makeup_workday_name(day)) is not None
        )
        provisional = any(
            not calendar.is_known(year) for year in range((current.start + timedelta(days=1)).year, due_on.year + 1)
        )
    return Deadline(
        rule_set=rules.name,
        start=current.start,
        due_on=due_on,
        provisional=provisional,
        running=not awaiting_correction and not open_kinds,
        paused_by=open_kinds,
        periods=tuple(period for _, _, period in periods),
        skipped=skipped,
        makeup_workdays=makeup,
        deferred=deferral is not None,
    )


def _pause_period(
    calendar: WorkingDayCalendar,
    pause: _Pause,
    a: date,
    b: date,
    count: int,
    start: date,
    due_on: date | None,
    today: date,
    deferral: Deferred | None,
) -> Period:
    note = _PAUSE_NOTES[pause.kind]
    end = pause.end
    lapsed = pause.cause == "lapsed" or (pause.end is None and not pause.open_on(today))
    if lapsed:
        end = pause.end or pause.until
        key = (pause.party or "third_party") if pause.kind == "consultation" else pause.kind
        note += "；" + _LAPSE_NOTES.get(key, "期限届满即告结束")
    elif pause.end is None:
        note += "；尚未结束，按截至今日计算"
    if due_on is not None:
        if b > a and b <= start:
            note += "；补正后答复期限重新计算，此前的暂停不再影响期限"
        elif a >= due_on:
            note += "；开始于答复期限届满之后，不影响答复期限，已逾期的不因此改变（逾期状态保持）"
        elif b > a and count < calendar.working_days_between(max(a, start), min(b, due_on)):
            note += "；与其他暂停期间重叠的工作日只扣除一次"
    if deferral is not None and pause.start >= deferral.on:
        note += "；开始于确定延迟答复期限之后，不影响延迟答复期限"
    return Period(pause.kind, pause.start, end, count, False, note)


def _deferral_period(
    deferred: Deferred, statutory_due: date | None, calendar: WorkingDayCalendar, *, superseded: bool
) -> Period:
    if superseded:
        note = (
            f"确定延迟答复期限至{deferred.due_on.isoformat()}；补正后答复期限重新计算，此次延迟不再适用"
            f"（条例第三十五条）；理由：{deferred.reason}"
        )
        return Period("deferral", deferred.on, deferred.due_on, 0, False, note)
    beyond = (
        calendar.working_days_between(statutory_due, deferred.due_on)
        if statutory_due and deferred.due_on > statutory_due
        else 0
    )
    note = (
        f"申请理由合理，但无法在条例第三十三条规定的期限内答复，确定延迟答复的合理期限至{deferred.due_on.isoformat()}"
        f"（条例第三十五条；不受第三十三条延长上限限制，按此期限判断是否按时答复）；理由：{deferred.reason}"
    )
    return Period("deferral", deferred.on, deferred.due_on, beyond, True, note)


def _days(after: date, until: date) -> list[date]:
    """The days in (after, until]."""
    return [after + timedelta(days=i) for i in range(1, (until - after).days + 1)]


def _segment_period(
    rules: RuleSet,
    calendar: WorkingDayCalendar,
    segment: _Segment,
    due_on: date | None,
    windows: Sequence[tuple[date, date]],
) -> Period:
    what = "自收到申请的次日起" if segment.kind == "reply_period" else "自收到补正后申请的次日起重新"
    if segment.stopped_on is None:
        # The running segment: its days are the base reply period; extensions and pauses have lines of their own.
        basis = "条例第三十条；" if segment.kind == "restart" else ""
        note = f"{what}计算答复期限{rules.reply_working_days}个工作日（{basis}{rules.title}）"
        return Period(segment.kind, segment.start, due_on, rules.reply_working_days, True, note)
    used = calendar.working_days_between(segment.start, segment.stopped_on) - sum(
        _exclusions(calendar, segment.start, segment.stopped_on, windows)
    )
    note = f"{what}计算的答复期限因通知补正而停止，已经过的{used}个工作日不再计入（条例第三十条）"
    return Period(segment.kind, segment.start, segment.stopped_on, used, False, note)


def _extension_period(
    rules: RuleSet,
    extension: Extended,
    calendar: WorkingDayCalendar,
    start: date,
    budget: int,
    windows: Sequence[tuple[date, date]],
) -> Period:
    extended_to = _due(calendar, start, budget, windows)
    note = (
        f"延长答复期限{extension.working_days}个工作日至{extended_to.isoformat()}（条例第三十三条；{rules.title}）；"
        f"理由：{extension.reason}；批准人：{extension.approver}"
    )
    return Period("extension", extension.on, extended_to, extension.working_days, True, note)


def _superseded_extension_period(extension: Extended) -> Period:
    note = (
        f"延长答复期限{extension.working_days}个工作日；补正后答复期限重新计算，此次延长不再计入，"
        f"但仍计为已延长一次（条例第三十三条）；理由：{extension.reason}；批准人：{extension.approver}"
    )
    return Period("extension", extension.on, extension.on, extension.working_days, False, note)


def working_days_left(calendar: WorkingDayCalendar, due_on: date, today: date) -> int:
    """Working days left until the due date: 0 on the due day, 1 on the working day before it.

    Once overdue it is minus the working days since the due day — but at least -1, so that 0 always
    means "due today": on the weekend right after a Friday due date no working day has passed yet,
    and the application is overdue all the same.
    """
    if today > due_on:
        return -max(1, calendar.working_days_between(due_on, today))
    return calendar.working_days_between(today, due_on)


def is_overdue(due_on: date, today: date) -> bool:
    """Overdue (逾期) only once the due day has ended: the reply may be sent on the due day itself."""
    return today > due_on


def due_soon_mark(rules: RuleSet, calendar: WorkingDayCalendar, due_on: date, today: date) -> int | None:
    """The reminder mark (5, 3, 1 working days left) reached today, if any.

    A mark is reached on the working day when that many working days are left; the non-working days
    that follow it have as many left but reach nothing, so each mark falls on exactly one day per due
    date.
    """
    if not calendar.is_working_day(today):
        return None
    left = working_days_left(calendar, due_on, today)
    return left if left in rules.due_soon_marks else None
