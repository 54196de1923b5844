"""Response models of an application's attachments (附件): ``/api/v1/requests/{id}/attachments``."""

from __future__ import annotations

from pydantic import BaseModel

ATTACHMENT_KINDS: tuple[str, ...] = ("reply_letter", "released_file", "other")


class AttachmentOut(BaseModel):
    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str
