"""``Idempotency-Key`` on every POST (DESIGN §10).

The first request with a key runs and its response (status, key headers, body) is stored in the
owning service's ``idempotency_keys`` table; a repeat with the same key, caller and request replays
it with ``Idempotent-Replayed: true``. The same key with a different request is a 422; a repeat
while the first is still running is a 409. Only successes are stored: an error created nothing, and
its retry (after the caller fixed a header, got a role, or the server recovered) must run again.
Keys are scoped per authenticated subject (anonymous callers share one scope — use random keys).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.concurrency import run_in_threadpool

from shared.db import stored_utc
from shared.errors import (
    DATABASE_UNAVAILABLE_ERRORS,
    ProblemError,
    database_unavailable,
    problem_response,
)

_KEY_OK = re.compile(r"^[\x21-\x7e]{1,200}$")
_KEPT_HEADERS = {b"content-type", b"etag", b"location"}
IN_PROGRESS_LEASE = timedelta(seconds=60)


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys",
        metadata,
        Column("scope_key", String(64), primary_key=True, comment="sha256(subject, key)"),
        Column("fingerprint", String(64), nullable=False, comment="sha256(method, path, query, body)"),
        Column("state", String(20), nullable=False),  # in_progress | done
        Column("response_status", Integer, nullable=True),
        Column("response_headers", LargeBinary, nullable=True),
        Column("response_body", LargeBinary, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
    )


@dataclass(frozen=True)
class IdempotencyStore:
    """One service's key store, and the path prefixes it answers for."""

    path_prefixes: Sequence[str]
    sessions: async_sessionmaker[AsyncSession]
    table: Table
    ttl: timedelta

    def owns(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.path_prefixes)


StoreResolver = Callable[[Any], Sequence[IdempotencyStore]]


class IdempotencyMiddleware:
    """Pure ASGI middleware; stores come from ``app.state.idempotency_stores`` at request time."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self._handle(scope, receive, tracking_send)
        except DATABASE_UNAVAILABLE_ERRORS:
            if started:
                raise
            await _send_problem(scope, send, database_unavailable())

    async def _handle(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(b"idempotency-key")
        stores: Sequence[IdempotencyStore] = getattr(scope["app"].state, "idempotency_stores", ())
        store = next((s for s in stores if s.owns(scope["path"])), None)
        if raw_key is None or store is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not _KEY_OK.match(key):
            await _send_problem(
                scope,
                send,
                ProblemError(
                    400, "invalid_idempotency_key", "幂等键格式无效", "Idempotency-Key 须为 1–200 个可见 ASCII 字符"
                ),
            )
            return
        subject = await _subject(scope, headers)
        if subject is None:  # a bad token: let the route answer 401 as usual, without storing
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        fingerprint = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        scope_key = hashlib.sha256(f"{subject}\n{key}".encode()).hexdigest()
        now = datetime.now(UTC)
        t = store.table

        async with store.sessions.begin() as session:
            row = (await session.execute(select(t).where(t.c.scope_key == scope_key))).first()
            stale = row is not None and (
                stored_utc(row.expires_at) < now
                or (row.state == "in_progress" and stored_utc(row.created_at) + IN_PROGRESS_LEASE < now)
            )
            if stale:
                await session.execute(delete(t).where(t.c.scope_key == scope_key))
                row = None
        if row is not None:
            if row.fingerprint != fingerprint:
                await _send_problem(
                    scope, send, ProblemError(422, "idempotency_key_reused", "幂等键已用于另一个不同的请求")
                )
            elif row.state != "done":
                await _send_problem(
                    scope,
                    send,
                    ProblemError(
                        409, "idempotency_in_progress", "相同幂等键的请求正在处理中", headers={"Retry-After": "1"}
                    ),
                )
            else:
                stored_headers = [
                    (k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(row.response_headers)
                ]
                await send(
                    {
                        "type": "http.response.start",
                        "status": row.response_status,
                        "headers": stored_headers + [(b"idempotent-replayed", b"true")],
                    }
                )
                await send({"type": "http.response.body", "body": row.response_body})
            return
        try:
            async with store.sessions.begin() as session:
                await session.execute(
                    t.insert().values(
                        scope_key=scope_key,
                        fingerprint=fingerprint,
                        state="in_progress",
                        created_at=now,
                        expires_at=now + store.ttl,
                    )
                )
        except IntegrityError:
            await _send_problem(
                scope,
                send,
                ProblemError(
                    409, "idempotency_in_progress", "相同幂等键的请求正在处理中", headers={"Retry-After": "1"}
                ),
            )
            return

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}

        async def replay_receive() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in message.get("headers") or []
                    if k.lower() in _KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                captured["body"].extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            async with store.sessions.begin() as session:
                if captured["status"] < 400:
                    await session.execute(
                        update(t)
                        .where(t.c.scope_key == scope_key)
                        .values(
                            state="done",
                            response_status=captured["status"],
                            response_headers=json.dumps(captured["headers"]).encode(),
                            response_body=bytes(captured["body"]),
                        )
                    )
                else:
                    await session.execute(delete(t).where(t.c.scope_key == scope_key))


async def _subject(scope: dict, headers: dict[bytes, bytes]) -> str | None:
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    if not authorization:
        return "anonymous"
    scheme, _, token = authorization.partition(" ")
    verifier = getattr(scope["app"].state, "token_verifier", None)
    if scheme.lower() != "bearer" or not token or verifier is None:
        return None
    try:
        if verifier.fetches_keys:
            # A JWKS refresh is blocking urllib I/O: keep it off the event loop, as shared.auth does.
            principal = await run_in_threadpool(verifier.verify, token.strip())
        else:
            principal = verifier.verify(token.strip())
    except ProblemError:
        return None
    return f"sub:{principal.sub}"


async def _read_body(receive: Any) -> bytes | None:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.extend(message.get("body", b""))
        if not message.get("more_body"):
            return bytes(chunks)


async def _send_problem(scope: dict, send: Any, problem: ProblemError) -> None:
    from starlette.requests import Request

    response = problem_response(
        problem.status, problem.code, problem.title, problem.detail, request=Request(scope), headers=problem.headers
    )
    await response(scope, _no_receive, send)


async def _no_receive() -> dict:
    return {"type": "http.disconnect"}
