"""Response models of an application's attachments (附件): ``/api/v1/requests/{id}/attachments``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from services.requests.schemas.examples import ATTACHMENT_EXAMPLE

ATTACHMENT_KINDS: tuple[str, ...] = ("reply_letter", "released_file", "other")


class AttachmentOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ATTACHMENT_EXAMPLE]})

    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
