"""Attachments of an application (附件): the reply letter (答复告知书) and released files, stored
through ``ctx.resources.storage`` (local disk in the embedded mode), their metadata in ``attachments``.

Access (issue 8): an application the caller may not read is a 404 for its attachments too (upload,
list, download), as for the application itself; one it may read but not act on is a 403 to upload.

Served safely: a file is downloaded with its uploader's media type only when that type is on
:data:`shared.storage.SERVED_MEDIA_TYPES` (documents and images a browser does not run), otherwise as
``application/octet-stream``; the API adds ``X-Content-Type-Options: nosniff`` and a sandboxing
``Content-Security-Policy``, so an uploaded ``text/html`` or ``image/svg+xml`` never runs script in
the API's origin. The stored name and type are cleaned (no control characters, no path).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.requests.config import Ctx
from services.requests.models import attachments
from services.requests.schemas.attachments import ATTACHMENT_KINDS, AttachmentOut
from services.requests.service.applications import load_readable
from shared.auth import Principal
from shared.errors import ProblemError, forbidden, not_found
from shared.storage import clean_filename, clean_media_type


def _out(row: Any) -> AttachmentOut:
    return AttachmentOut(**{k: row._mapping[k] for k in AttachmentOut.model_fields})


async def add_attachment(
    session: AsyncSession,
    ctx: Ctx,
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
    if len(data) > ctx.resources.settings.max_attachment_bytes:
        raise ProblemError(413, "payload_too_large", "附件过大")
    row = await load_readable(session, actor, application_id)  # 404 for an application it may not see
    if not actor.can_act(row.unit_code):
        raise forbidden("只有受理单位或政务公开主管部门可以上传附件")
    attachment_id = str(uuid.uuid4())
    key = f"applications/{application_id}/{attachment_id}"
    # The file first: a failed commit leaves an orphan file, never a row without its file.
    await ctx.resources.storage.put(key, data)
    values = {
        "id": attachment_id,
        "application_id": application_id,
        "kind": kind,
        "filename": clean_filename(filename),
        "content_type": clean_media_type(content_type),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "storage_key": key,
        "created_at": ctx.clock.now(),
        "created_by": actor.sub,
    }
    await session.execute(attachments.insert().values(**values))
    after = {k: v for k, v in values.items() if k not in ("created_at", "storage_key")}
    await ctx.journal.audit(session, actor, "attachment.added", "application", application_id, after=after)
    return AttachmentOut(**values)


async def list_attachments(session: AsyncSession, principal: Principal, application_id: str) -> list[AttachmentOut]:
    await load_readable(session, principal, application_id)
    rows = (
        await session.execute(
            select(attachments).where(attachments.c.application_id == application_id).order_by(attachments.c.created_at)
        )
    ).all()
    return [_out(r) for r in rows]


async def read_attachment(
    session: AsyncSession, ctx: Ctx, principal: Principal, application_id: str, attachment_id: str
) -> tuple[AttachmentOut, bytes]:
    await load_readable(session, principal, application_id)
    attachment = (
        await session.execute(
            select(attachments).where(attachments.c.id == attachment_id, attachments.c.application_id == application_id)
        )
    ).one_or_none()
    if attachment is None:
        raise not_found("附件")
    return _out(attachment), await ctx.resources.storage.get(attachment.storage_key)
