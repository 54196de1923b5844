"""The injectable clock (DESIGN §4).

Domain code never reads the wall clock: it asks a ``Clock``, which in dev and test can be set and
moved so a whole year of deadlines can be walked through in one test. Legal dates (法定日期) are
Asia/Shanghai calendar dates; timestamps are UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, Field

from shared.auth import require_roles

__all__ = ["SHANGHAI", "Clock", "ClockAdvance", "ClockSet", "ClockState", "dev_clock_router", "legal_date"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A clock set outside this range is a typing slip, and near date.max it would overflow as it ticks.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_ADVANCE_DAYS = 3660  # ten years and change: enough to walk any deadline, small enough to stay in range


def legal_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of ``moment``; a naive datetime is read as Shanghai wall time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.date()
    return moment.astimezone(SHANGHAI).date()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:00-14:00, 0001-01-01T00:30+08:00 …
        raise ValueError(f"{moment.isoformat()} is out of range") from exc


class Clock:
    """Real time, optionally shifted by an offset or frozen at an instant.

    ``wall`` supplies real time (default: the system clock); tests pass their own to watch an
    unfrozen clock tick.
    """

    def __init__(self, wall: Callable[[], datetime] | None = None) -> None:
        self._wall = wall
        self._offset = timedelta(0)
        self._frozen_at: datetime | None = None

    def _real_now(self) -> datetime:
        return _as_utc(self._wall()) if self._wall is not None else datetime.now(UTC)

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        if self._frozen_at is not None:
            return self._frozen_at
        return self._real_now() + self._offset

    def today(self) -> date:
        """The current legal date (Asia/Shanghai)."""
        return legal_date(self.now())

    def set(self, now: datetime, *, frozen: bool = False) -> None:
        """Jump to ``now`` (naive → Asia/Shanghai wall time); unfrozen, time keeps running from there."""
        target = _checked(_as_utc(now))
        if frozen:
            self._frozen_at, self._offset = target, timedelta(0)
        else:
            self._frozen_at, self._offset = None, target - self._real_now()

    def advance(self, *, days: float = 0, seconds: float = 0) -> None:
        """Move the clock by ``days`` and ``seconds`` (negative moves it back)."""
        try:
            delta = timedelta(days=days, seconds=seconds)
        except OverflowError as exc:
            raise ValueError(f"cannot advance the clock by {days} days and {seconds} seconds") from exc
        target = _checked(_plus(self.now(), delta))
        if self._frozen_at is not None:
            self._frozen_at = target
        else:
            self._offset += delta

    def reset(self) -> None:
        """Back to real time."""
        self._frozen_at, self._offset = None, timedelta(0)

    def state(self) -> dict[str, Any]:
        now, real = self.now(), self._real_now()
        return {
            "now": now.isoformat(),
            "today": legal_date(now).isoformat(),
            "frozen": self._frozen_at is not None,
            "offset_seconds": (now - real).total_seconds(),
            "real": self._frozen_at is None and self._offset == timedelta(0),
        }


def _plus(moment: datetime, delta: timedelta) -> datetime:
    try:
        return moment + delta
    except OverflowError as exc:
        raise ValueError(f"{moment.isoformat()} moved by {delta} is out of range") from exc


def _checked(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"the clock must stay within {EARLIEST.year}..{LATEST.year - 1}, got {moment.isoformat()}")
    return moment


# -- dev/test HTTP API ---------------------------------------------------------------------------


class ClockSet(BaseModel):
    now: datetime = Field(
        description="新的当前时刻（ISO 8601；不带时区偏移时按北京时间理解）。"
        " The new current moment, ISO 8601; without an offset it is read as Asia/Shanghai wall time.",
        examples=["2026-10-01T09:00:00+08:00"],
    )
    frozen: bool = Field(
        False,
        description="是否冻结时钟：true 时时间停在该时刻，false 时从该时刻继续走。"
        " Freeze the clock at that moment (true) or let it keep running from there (false).",
    )


class ClockAdvance(BaseModel):
    days: float = Field(
        0,
        ge=-MAX_ADVANCE_DAYS,
        le=MAX_ADVANCE_DAYS,
        allow_inf_nan=False,
        description="拨动的天数（可为负数、小数）。 Days to move the clock by; may be negative or fractional.",
    )
    seconds: float = Field(
        0,
        ge=-MAX_ADVANCE_DAYS * 86400,
        le=MAX_ADVANCE_DAYS * 86400,
        allow_inf_nan=False,
        description="再拨动的秒数（可为负数）。 Further seconds to move the clock by; may be negative.",
    )


class ClockState(BaseModel):
    now: AwareDatetime = Field(description="服务当前时刻（UTC）。 The service's current instant, UTC.")
    today: date = Field(description="当前法定日期（北京时间）。 The current legal date in Asia/Shanghai.")
    frozen: bool = Field(description="时钟是否冻结。 Whether the clock is frozen.")
    offset_seconds: float = Field(
        description="服务时钟与真实时间之差（秒）。 Seconds between the service clock and real time."
    )
    real: bool = Field(description="是否为真实时间（未设置、未冻结）。 True when the clock is plain real time.")


def dev_clock_router() -> APIRouter:
    """``/api/v1/_dev/clock``: read, set and move the service's clock (dev and test modes only),
    role ``admin`` (issue 8: a test deployment reachable by others must not let anyone move its
    deadlines; integration signatures and nonce retention follow the wall clock regardless)."""
    router = APIRouter(prefix="/api/v1/_dev/clock", tags=["dev"], dependencies=[Depends(require_roles("admin"))])

    def clock_of(request: Request) -> Clock:
        clock: Clock = request.app.state.clock
        return clock

    @router.get("", response_model=ClockState, summary="查看服务时钟 Read the service clock")
    async def get_clock(request: Request) -> dict[str, Any]:
        return clock_of(request).state()

    @router.put("", response_model=ClockState, summary="设置服务时钟 Set the service clock")
    async def set_clock(body: ClockSet, request: Request) -> dict[str, Any]:
        clock = clock_of(request)
        try:
            clock.set(body.now, frozen=body.frozen)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return clock.state()

    @router.post("/advance", response_model=ClockState, summary="拨动服务时钟 Move the service clock")
    async def advance_clock(body: ClockAdvance, request: Request) -> dict[str, Any]:
        clock = clock_of(request)
        try:
            clock.advance(days=body.days, seconds=body.seconds)
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from exc
        return clock.state()

    return router
