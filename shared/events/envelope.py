"""The CloudEvents 1.0 envelope, structured JSON mode (DESIGN §3).

Extensions ``correlationid`` (the request id of the work that caused the event), ``causationid``
(the id of the event or command that caused it) and ``traceparent`` (W3C trace context) travel
beside the standard attributes; any other extension survives a round trip untouched.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_serializer, field_validator

from shared.context import current_causation_id, current_request_id
from shared.events.catalogue import EVENT_TYPES, EventData

__all__ = ["CONTENT_TYPE", "CloudEvent", "InvalidEvent", "new_event"]

CONTENT_TYPE = "application/cloudevents+json"


class InvalidEvent(ValueError):
    """Bytes that are not a valid event of this system, or data that does not fit its type."""


class CloudEvent(BaseModel):
    """One event, as published on ``gongkai.events`` with routing key = ``type``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str  # a UUID; the inbox of every consumer is keyed by it
    type: str = Field(min_length=1)
    source: str = Field(min_length=1)  # "gongkai/<service>"
    time: AwareDatetime
    subject: str | None = None  # the aggregate id
    datacontenttype: str = "application/json"
    data: dict[str, Any]
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = None

    @field_validator("id")
    @classmethod
    def _id_is_uuid(cls, value: str) -> str:
        uuid.UUID(value)  # ValueError → ValidationError
        return value

    @field_serializer("time")
    def _time_with_offset(self, value: datetime) -> str:
        return value.isoformat()

    def to_json_bytes(self) -> bytes:
        """Structured-mode JSON, UTF-8; absent optional attributes are left out, not null."""
        body = {key: value for key, value in self.model_dump(mode="json").items() if value is not None}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> CloudEvent:
        try:
            return cls.model_validate_json(raw)
        except ValidationError as exc:
            raise InvalidEvent(f"not a valid CloudEvent: {_summary(exc)}") from exc

    def parsed_data(self) -> EventData:
        """``data`` validated against the model registered for ``type``."""
        model = EVENT_TYPES.get(self.type)
        if model is None:
            raise InvalidEvent(f"unknown event type {self.type!r}")
        try:
            return model.model_validate(self.data)
        except ValidationError as exc:
            raise InvalidEvent(f"data does not fit {self.type!r}: {_summary(exc)}") from exc


def _summary(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '(body)'}: {e['msg']}" for e in exc.errors())


def new_event(
    data: EventData,
    *,
    source: str,
    subject: str,
    time: datetime,
    correlationid: str | None = None,
    causationid: str | None = None,
    traceparent: str | None = None,
    id: str | None = None,
) -> CloudEvent:
    """Wrap ``data`` in an envelope of its registered type.

    ``time`` is required: it comes from the service's ``Clock``, so a test that moves the clock
    sees events stamped in its time. Correlation and causation default to the current request's
    context (``shared.context``).
    """
    event_type = getattr(type(data), "TYPE", None)
    if event_type is None or EVENT_TYPES.get(event_type) is not type(data):
        raise TypeError(f"{type(data).__name__} is not a registered event type")
    return CloudEvent(
        id=id or str(uuid.uuid4()),
        type=event_type,
        source=source,
        time=time,
        subject=subject,
        data=data.model_dump(mode="json"),
        correlationid=correlationid if correlationid is not None else current_request_id(),
        causationid=causationid if causationid is not None else current_causation_id(),
        traceparent=traceparent,
    )
