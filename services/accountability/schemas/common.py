"""What every model of the accountability API shares: strict input and storable text."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# NUL cannot be stored in PostgreSQL text and a lone surrogate cannot be encoded: bad input (422).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Text query and path parameters: no control characters.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
UNIT_CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: object) -> object:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and UNSTORABLE.search(v) for v in texts):
            raise ValueError("不能包含 NUL 字符或无效的 Unicode 字符")
        return value


class OnDay(Strict):
    on: date | None = Field(None, description="the day it happened (default today on the service clock)")


class TimelineEntry(BaseModel):
    at: datetime
    actor: str
    actor_name: str
    action: str
    before: Any = None
    after: Any = None
