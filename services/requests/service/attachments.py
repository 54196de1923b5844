"""Attachments of an application (附件): the reply letter (答复告知书) and released files, stored
through ``shared.storage`` (local disk in the embedded mode), their metadata in ``attachments``."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from services.requests.config import get_requests_settings
from services.requests.journal import audit
from services.requests.models import attachments
from services.requests.service.applications import can_act, load_application, load_readable
from shared.auth import Principal
from shared.errors import ProblemError, forbidden, not_found
from shared.runtime import ServiceRuntime
from shared.storage import LocalStorage, Storage

ATTACHMENT_KINDS = ("reply_letter", "released_file", "other")


class AttachmentOut(BaseModel):
    id: str
    kind: str
    filename: str
    content_type: str
    size: int
    sha256: str


def storage_of(runtime: ServiceRuntime) -> Storage:
    storage = getattr(runtime, "storage", None)
    if storage is None:
        storage = runtime.storage = LocalStorage(get_requests_settings().storage_dir)  # type: ignore[attr-defined]
    return storage


def _out(row: Any) -> AttachmentOut:
    return AttachmentOut(**{k: row._mapping[k] for k in AttachmentOut.model_fields})


async def add_attachment(
    runtime: ServiceRuntime,
    actor: Principal,
    application_id: str,
    kind: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> AttachmentOut:
    if kind not in ATTACHMENT_KINDS:
        raise ProblemError(422, "attachment_kind_invalid", "附件类型无效", f"kind 须为 {', '.join(ATTACHMENT_KINDS)}")
    if not data:
        raise ProblemError(422, "attachment_empty", "附件为空")
    if len(data) > get_requests_settings().max_attachment_bytes:
        raise ProblemError(413, "payload_too_large", "附件过大")
    attachment_id = str(uuid.uuid4())
    key = f"applications/{application_id}/{attachment_id}"
    async with runtime.sessions.begin() as session:
        row = await load_application(session, application_id)
        if not can_act(actor, row.unit_code):
            raise forbidden("只有受理单位或政务公开主管部门可以上传附件")
        # The file first: a failed commit leaves an orphan file, never a row without its file.
        await storage_of(runtime).put(key, data)
        values = {
            "id": attachment_id,
            "application_id": application_id,
            "kind": kind,
            "filename": filename[:255] or "file",
            "content_type": content_type[:100] or "application/octet-stream",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "storage_key": key,
            "created_at": runtime.clock.now(),
            "created_by": actor.sub,
        }
        await session.execute(attachments.insert().values(**values))
        await audit(
            runtime,
            session,
            actor,
            "attachment.added",
            "application",
            application_id,
            after={k: v for k, v in values.items() if k not in ("created_at", "storage_key")},
        )
    return AttachmentOut(**values)


async def list_attachments(runtime: ServiceRuntime, principal: Principal, application_id: str) -> list[AttachmentOut]:
    async with runtime.sessions() as session:
        await load_readable(session, principal, application_id)
        rows = (
            await session.execute(
                select(attachments)
                .where(attachments.c.application_id == application_id)
                .order_by(attachments.c.created_at)
            )
        ).all()
    return [_out(r) for r in rows]


async def read_attachment(
    runtime: ServiceRuntime, principal: Principal, application_id: str, attachment_id: str
) -> tuple[AttachmentOut, bytes]:
    async with runtime.sessions() as session:
        await load_readable(session, principal, application_id)
        attachment = (
            await session.execute(
                select(attachments).where(
                    attachments.c.id == attachment_id, attachments.c.application_id == application_id
                )
            )
        ).one_or_none()
    if attachment is None:
        raise not_found("附件")
    return _out(attachment), await storage_of(runtime).get(attachment.storage_key)
