"""Quiet hours for SMS (免打扰时段, issue 15 §6): a text message due inside the window waits for its
end, in Asia/Shanghai local time (DESIGN §4). Inbox, e-mail and webhooks are never held.

The window is [start, end): 22:00–07:00 crosses midnight; start == end means no quiet hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.domain import InvalidInput

__all__ = ["LOCAL_TZ", "QuietHours", "held_until", "parse_quiet_hours"]

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_WINDOW = re.compile(r"^\s*([01]\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # crosses midnight


def parse_quiet_hours(text: str) -> QuietHours:
    """``"22:00-07:00"`` (a setting) → :class:`QuietHours`."""
    match = _WINDOW.match(text)
    if not match:
        raise InvalidInput("quiet_hours_invalid", "免打扰时段格式错误", f"{text!r} 须形如 22:00-07:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return QuietHours(time(h1, m1), time(h2, m2))


def held_until(now: datetime, quiet: QuietHours | None) -> datetime | None:
    """When an SMS due at ``now`` may go out: None if now, else the window's end (local time)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if quiet is None:
        return None
    local = now.astimezone(LOCAL_TZ)
    moment = local.time().replace(tzinfo=None)
    if not quiet.contains(moment):
        return None
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=quiet.end.second, microsecond=0)
    if end <= local:  # inside a window that crosses midnight, before it: the end is tomorrow
        end += timedelta(days=1)
    return end
