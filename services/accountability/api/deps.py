"""What every router of the accountability service takes: its runtime, the request's transaction,
the caller and the If-Match header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path
from sqlalchemy.ext.asyncio import AsyncSession

from services.accountability.config import Ctx
from services.accountability.schemas.common import PLAIN_TEXT
from shared.auth import Principal, current_principal
from shared.etags import etag
from shared.runtime import runtime_dependency, session_dependency

Runtime = Annotated[Ctx, Depends(runtime_dependency("accountability"))]
# The use case's transaction: committed before the response is sent, rolled back on any error.
Session = Annotated[AsyncSession, Depends(session_dependency("accountability"), scope="function")]
Caller = Annotated[Principal, Depends(current_principal)]
IfMatch = Annotated[str | None, Header(description="the resource's ETag, as read (required for workflow actions)")]
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=PLAIN_TEXT)]


def etag_of(version: int) -> str:
    return etag(version)
