"""What the notifier's routers share: the session, the runtime, ids and If-Match."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path
from sqlalchemy.ext.asyncio import AsyncSession

from services.notifier.config import Ctx
from shared.runtime import runtime_dependency, session_dependency

Runtime = Annotated[Ctx, Depends(runtime_dependency("notifier"))]
Session = Annotated[AsyncSession, Depends(session_dependency("notifier"), scope="function")]
UUID_PATTERN = r"^[0-9a-fA-F-]{36}$"
Id = Annotated[str, Path(pattern=UUID_PATTERN, description="id（UUID）")]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description='可选：上次读取的 ETag（如 "3"），不符时 412 / optional; 412 when stale'),
]
