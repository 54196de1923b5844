"""The clock facts of a disclosure application: what happened to its statutory clock, each on its
legal date (DESIGN §5). ``deadlines.compute_deadline`` replays them into the due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.domain import InvalidInput

__all__ = [
    "ClockFact",
    "CorrectionReceived",
    "CorrectionRequested",
    "Deferred",
    "EndCause",
    "Extended",
    "PartyKind",
    "PauseEnded",
    "PauseKind",
    "PauseStarted",
    "Received",
]

PauseKind = Literal["consultation", "fee", "suspension", "reasons"]
PartyKind = Literal["third_party", "agency"]
EndCause = Literal["ended", "lapsed"]


@dataclass(frozen=True)
class Received:
    """收到申请: the receipt date by channel (条例 第三十一条)."""

    on: date


@dataclass(frozen=True)
class CorrectionRequested:
    """补正通知: the clock stops until the corrected application arrives (条例 第三十条)."""

    on: date


@dataclass(frozen=True)
class CorrectionReceived:
    """收到补正后的申请: the reply period restarts in full from this day (条例 第三十条)."""

    on: date


@dataclass(frozen=True)
class PauseStarted:
    """A pause of the clock begins: consultation 征求意见, fee notice 缴费通知 or suspension 期限中止."""

    ref: str  # identifies the pause, e.g. the consultation's id; PauseEnded names it
    kind: PauseKind
    on: date
    # The last day the pause can last: a consultation ends by itself at the end of the consulted
    # party's 15 working days (条例 第三十二条、第三十四条), a request for reasons at the end of the
    # period the office set (条例 第三十五条). None: until it is ended.
    until: date | None = None
    party: PartyKind | None = None  # a consultation's: whose silence means what at ``until``


@dataclass(frozen=True)
class PauseEnded:
    """The pause ``ref`` ends on this day (the day counts as paused): ``ended`` by an answer or
    payment, or ``lapsed`` — its ``until`` day passed without one."""

    ref: str
    on: date
    cause: EndCause = "ended"


@dataclass(frozen=True)
class Extended:
    """延长答复期限 (条例 第三十三条): once, with a reason and the approver's name."""

    working_days: int
    on: date
    reason: str
    approver: str

    def __post_init__(self) -> None:
        # 条例 第三十三条: an extension needs the approval of the head of the disclosure office, and the
        # applicant is told why — a blank reason or approver is no extension at all.
        if not self.reason.strip():
            raise InvalidInput("extension_reason_required", "延长答复期限须说明理由")
        if not self.approver.strip():
            raise InvalidInput("extension_approver_required", "延长答复期限须经负责人批准", "approver 不能为空")


@dataclass(frozen=True)
class Deferred:
    """延迟答复 (条例 第三十五条): the applicant's reasons for many or frequent applications are
    reasonable, but the reply cannot be made within the 第三十三条 period; the office sets a
    reasonable later due date, with its reason. No statutory cap; once set, the date is fixed."""

    on: date
    due_on: date
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidInput("deferral_reason_required", "确定延迟答复期限须说明理由")
        if self.due_on <= self.on:
            raise InvalidInput("deferral_date_invalid", "延迟答复的期限须晚于确定之日", self.due_on.isoformat())


ClockFact = Received | CorrectionRequested | CorrectionReceived | PauseStarted | PauseEnded | Extended | Deferred
