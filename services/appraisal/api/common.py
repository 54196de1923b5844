"""What every router of the appraisal service declares the same way: its transaction, its runtime,
the caller, path parameters and ``If-Match``."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Header, Path
from sqlalchemy.ext.asyncio import AsyncSession

from services.appraisal.config import Ctx
from services.appraisal.schemas.campaigns import CAMPAIGN_ID_PATTERN, UNIT_CODE_PATTERN
from shared.auth import Principal, current_principal, optional_principal, require_roles
from shared.runtime import runtime_dependency, session_dependency

Session = Annotated[AsyncSession, Depends(session_dependency("appraisal"), scope="function")]
# The same transaction opened inside a route, only where it needs one: an unused ``Session``
# still costs a session, a begin and a commit on every call (the public intake's hot path uses
# none). Commits on leaving, before the response is sent; an Idempotency-Key is honoured as above.
request_transaction = asynccontextmanager(session_dependency("appraisal"))
Runtime = Annotated[Ctx, Depends(runtime_dependency("appraisal"))]
Caller = Annotated[Principal, Depends(current_principal)]
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]
Office = Annotated[Principal, Depends(require_roles("office", "admin"))]
CampaignId = Annotated[str, Path(pattern=CAMPAIGN_ID_PATTERN, description="评议活动编号 / campaign id")]
UnitCode = Annotated[str, Path(pattern=UNIT_CODE_PATTERN, description="单位代码 / unit code")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description="上次读取的 ETag；状态变更时必带")]
