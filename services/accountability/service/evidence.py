"""Evidence of a case (证据材料): files kept through ``ctx.resources.storage``, metadata in ``case_evidence``."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.models import case_evidence
from services.accountability.schemas.cases import EvidenceOut
from services.accountability.service.access import load_readable_case
from services.accountability.service.cases import ENTITY
from shared.auth import Principal
from shared.db import stored_utc
from shared.errors import ProblemError, not_found
from shared.storage import clean_filename, clean_media_type


def _out(row: Any) -> EvidenceOut:
    values = {k: row._mapping[k] for k in EvidenceOut.model_fields}
    return EvidenceOut(**{**values, "created_at": stored_utc(values["created_at"])})


async def add_evidence(
    session: AsyncSession,
    ctx: Ctx,
    actor: Principal,
    case_id: str,
    filename: str,
    content_type: str,
    data: bytes,
    description: str | None,
) -> EvidenceOut:
    """Anyone who may read the case may add evidence to it (the inspector's findings, the unit's or
    the person's material for their statement); each upload is on the case's timeline."""
    await load_readable_case(session, actor, case_id)
    if not data:
        raise ProblemError(422, "evidence_empty", "证据文件为空")
    if len(data) > ctx.resources.settings.max_evidence_bytes:
        raise ProblemError(413, "payload_too_large", "证据文件过大")
    evidence_id = str(uuid.uuid4())
    key = f"cases/{case_id}/{evidence_id}"
    # The file first: a failed commit leaves an orphan file, never a row without its file.
    await ctx.resources.storage.put(key, data)
    values = {
        "id": evidence_id,
        "case_id": case_id,
        "filename": clean_filename(filename),
        "content_type": clean_media_type(content_type),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "description": (description or None) and description[:500],
        "storage_key": key,
        "created_by": actor.sub,
        "created_at": ctx.clock.now(),
    }
    await session.execute(case_evidence.insert().values(**values))
    after = {k: v for k, v in values.items() if k not in ("created_at", "storage_key")}
    await ctx.journal.audit(session, actor, "evidence", ENTITY, case_id, after=after)
    return EvidenceOut(**{k: values[k] for k in EvidenceOut.model_fields})


async def list_evidence(session: AsyncSession, actor: Principal, case_id: str) -> list[EvidenceOut]:
    await load_readable_case(session, actor, case_id)
    statement = select(case_evidence).where(case_evidence.c.case_id == case_id).order_by(case_evidence.c.created_at)
    return [_out(r) for r in (await session.execute(statement)).all()]


async def read_evidence(
    session: AsyncSession, ctx: Ctx, actor: Principal, case_id: str, evidence_id: str
) -> tuple[EvidenceOut, bytes]:
    await load_readable_case(session, actor, case_id)
    row = (
        await session.execute(
            select(case_evidence).where(case_evidence.c.id == evidence_id, case_evidence.c.case_id == case_id)
        )
    ).one_or_none()
    if row is None:
        raise not_found("证据材料")
    return _out(row), await ctx.resources.storage.get(row.storage_key)
