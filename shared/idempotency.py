"""``Idempotency-Key`` on every POST (DESIGN §10).

The first request with a key runs and its response (status, key headers, body) is stored in the
owning service's ``idempotency_keys`` table; a repeat with the same key, caller and request replays
it with ``Idempotent-Replayed: true``. The same key with a different request is a 422. Only
successes are stored: an error created nothing, and its retry (after the caller fixed a header,
got a role, or the server recovered) must run again. Keys are scoped per authenticated subject
(anonymous callers share one scope — use random keys).

The key lives in the use case's own transaction, so key, effects and stored response commit or
vanish together (a process killed in between leaves either all of them or none):

1. the middleware accepts the key and leaves a :class:`KeyClaim` in the ASGI scope. It does not
   replay anything itself: a stored response is given only to a request that passed every check
   of its route (issue 8 — a replay used to skip the integrations' signature check);
2. the route's session dependency (``shared.runtime.session_dependency``), which ``build_app``
   orders after every other dependency of the route (authentication, roles, signatures), inserts
   the key row as the *first* statement of the request's transaction (:meth:`KeyClaim.take`) and,
   instead of committing at its exit, hands the open transaction back (:meth:`KeyClaim.hand_over`).
   A key already stored, or a concurrent duplicate (it waits on the row's primary key on
   PostgreSQL, on the single writer on SQLite, until the first commits), makes the insert fail:
   :class:`KeyTaken`, and the middleware answers with the stored response;
3. once the response is complete the middleware writes it into the key row and commits, and only
   then sends it. A 4xx/5xx answer is not stored: the key row is deleted and the rest commits
   exactly as it would have without a key.

A route that does not take its transaction from the session dependency ignores the key (nothing
is stored, its response passes through): idempotency is only as good as the transaction it shares.

Stored responses can hold personal data (an application's identity number, its one-time query
code): the body is kept encrypted with the field cipher (``shared.crypto``, AES-256-GCM, the key
row's ``scope_key`` as associated data so a body copied into another row does not decrypt), and
rows past their expiry are purged (:meth:`IdempotencyStore.purge_expired`, run by every runtime).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.concurrency import run_in_threadpool

from shared.crypto import CryptoError, FieldCipher
from shared.db import rows_affected, stored_utc
from shared.errors import (
    DATABASE_UNAVAILABLE_ERRORS,
    ProblemError,
    database_unavailable,
    problem_response,
)

log = logging.getLogger("gongkai.idempotency")

_KEY_OK = re.compile(r"^[\x21-\x7e]{1,200}$")
_KEPT_HEADERS = {b"content-type", b"etag", b"location"}
# Where the middleware leaves the accepted key for the request's session dependency.
KEY_CLAIM_SCOPE = "gongkai.idempotency_claim"
# Test-only: exit the process right after the commit, before the response leaves
# (GONGKAI_TEST_CRASH_AFTER_COMMIT=1; Settings refuses it in prod). Exit code 17.
CRASH_AFTER_COMMIT_EXIT_CODE = 17


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
    cipher: FieldCipher

    def owns(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.path_prefixes)

    async def stored(self, scope_key: str) -> Row[Any] | None:
        """The committed, unexpired response of a key, if there is one."""
        t = self.table
        async with self.sessions() as session:
            row = (await session.execute(select(t).where(t.c.scope_key == scope_key))).first()
        if row is None or row.state != "done" or stored_utc(row.expires_at) < datetime.now(UTC):
            return None
        return row

    def seal(self, scope_key: str, body: bytes) -> bytes:
        return self.cipher.encrypt_bytes(body, context=_context(scope_key))

    def unseal(self, scope_key: str, stored: bytes) -> bytes:
        """The body of a stored response. A row written in clear by a release before the
        encryption (a JSON body, never a ``v1.`` token) is replayed as it is until it expires."""
        if not stored.startswith(b"v1."):
            return stored
        return self.cipher.decrypt_bytes(stored, context=_context(scope_key))

    async def purge_expired(self) -> int:
        """Deletes the rows past their expiry (their responses are never replayed again)."""
        t = self.table
        async with self.sessions.begin() as session:
            result = await session.execute(delete(t).where(t.c.expires_at < datetime.now(UTC)))
            return rows_affected(result)


def _context(scope_key: str) -> str:
    return f"gongkai.idempotency.response:{scope_key}"


class KeyTaken(Exception):
    """Raised by :meth:`KeyClaim.take` when another request committed the same key first; the
    middleware answers with that request's stored response."""


@dataclass
class KeyClaim:
    """An accepted ``Idempotency-Key`` of the request in flight (see the module docstring)."""

    store: IdempotencyStore
    scope_key: str
    fingerprint: str
    taken: bool = False
    session: AsyncSession | None = field(default=None, repr=False)

    async def take(self, session: AsyncSession) -> None:
        """Inserts the key row: the first statement of the request's transaction."""
        t = self.store.table
        now = datetime.now(UTC)
        # An expired row is free again, and so is one a crashed older release left in_progress.
        await session.execute(
            delete(t).where(t.c.scope_key == self.scope_key, or_(t.c.expires_at < now, t.c.state != "done"))
        )
        try:
            await session.execute(
                t.insert().values(
                    scope_key=self.scope_key,
                    fingerprint=self.fingerprint,
                    state="in_progress",
                    created_at=now,
                    expires_at=now + self.store.ttl,
                )
            )
        except IntegrityError as exc:
            raise KeyTaken from exc
        self.taken = True

    def hand_over(self, session: AsyncSession) -> None:
        """The route is done: its transaction stays open for :meth:`finish`."""
        self.session = session

    def rolled_back(self) -> None:
        """The route failed and its transaction, key row included, was rolled back."""
        self.taken = False

    async def finish(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """Stores a success in the key row, or drops the row of an error; then commits."""
        assert self.session is not None
        t = self.store.table
        try:
            if status < 400:
                await self.session.execute(
                    update(t)
                    .where(t.c.scope_key == self.scope_key)
                    .values(
                        state="done",
                        response_status=status,
                        response_headers=json.dumps(headers).encode(),
                        response_body=self.store.seal(self.scope_key, body),
                    )
                )
            else:
                await self.session.execute(delete(t).where(t.c.scope_key == self.scope_key))
            await self.session.commit()
        finally:
            await self.abandon()

    async def abandon(self) -> None:
        """Rolls back whatever is still open (nothing after :meth:`finish`)."""
        if self.session is not None:
            session, self.session = self.session, None
            await session.close()


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
        except DATABASE_UNAVAILABLE_ERRORS as exc:
            if started:
                raise
            log.error("database unavailable in %s %s: %s", scope["method"], scope["path"], exc)
            await _send_problem(scope, send, database_unavailable())

    async def _handle(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_key = headers.get(b"idempotency-key")
        if raw_key is None:  # most calls: nothing to look up
            await self.app(scope, receive, send)
            return
        stores: Sequence[IdempotencyStore] = getattr(scope["app"].state, "idempotency_stores", ())
        store = next((s for s in stores if s.owns(scope["path"])), None)
        if store is None:
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
        claim = KeyClaim(store, hashlib.sha256(f"{subject}\n{key}".encode()).hexdigest(), fingerprint)
        # No replay here: the route's own checks run first, and its session dependency finds the
        # stored response (KeyTaken below).
        scope[KEY_CLAIM_SCOPE] = claim
        response = _BufferedResponse(claim)

        async def replay_receive() -> dict:
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            await self.app(scope, replay_receive, response.sender(send))
        except KeyTaken:
            # The key is stored (a repeat), or a duplicate committed while this one waited for
            # it: answer with that response, now that the route's checks have passed.
            await claim.abandon()
            if not await _replayed(scope, send, claim):  # committed, then expired at once: rare
                await _send_problem(
                    scope,
                    send,
                    ProblemError(
                        409, "idempotency_in_progress", "相同幂等键的请求正在处理中", headers={"Retry-After": "1"}
                    ),
                )
            return
        except BaseException:
            await claim.abandon()
            raise
        if claim.session is None:
            return  # the route did not take the key: its response has passed through
        try:
            await claim.finish(response.status, response.kept_headers(), bytes(response.body))
        except DATABASE_UNAVAILABLE_ERRORS as exc:
            # Nothing was stored, the use case neither: the retry runs it again.
            log.error("could not commit %s %s: %s", scope["method"], scope["path"], exc)
            await _send_problem(scope, send, database_unavailable())
            return
        if scope["app"].state.settings.test_crash_after_commit:
            os._exit(CRASH_AFTER_COMMIT_EXIT_CODE)
        await response.release(send)


class _BufferedResponse:
    """Holds a keyed route's response until its transaction has committed; passes it straight
    through when the route did not take the key."""

    def __init__(self, claim: KeyClaim) -> None:
        self.claim = claim
        self.status = 500
        self.messages: list[dict] = []
        self.body = bytearray()
        self.headers: list[tuple[bytes, bytes]] = []

    def sender(self, send: Any) -> Callable[[dict], Any]:
        async def buffering_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                if self.claim.taken and self.claim.session is None:
                    raise RuntimeError("session_dependency must be used with Depends(..., scope='function')")
                self.status = message["status"]
                self.headers = list(message.get("headers") or [])
            if self.claim.session is None:
                await send(message)
                return
            if message["type"] == "http.response.body":
                self.body.extend(message.get("body", b""))
            self.messages.append(message)

        return buffering_send

    def kept_headers(self) -> list[tuple[str, str]]:
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.headers if k.lower() in _KEPT_HEADERS]

    async def release(self, send: Any) -> None:
        for message in self.messages:
            await send(message)


async def _replayed(scope: dict, send: Any, claim: KeyClaim) -> bool:
    """Answers from the key's stored response (or 422 for another request under the same key);
    False when nothing is stored."""
    row = await claim.store.stored(claim.scope_key)
    if row is None:
        return False
    if row.fingerprint != claim.fingerprint:
        await _send_problem(scope, send, ProblemError(422, "idempotency_key_reused", "幂等键已用于另一个不同的请求"))
        return True
    stored_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(row.response_headers)]
    try:
        body = claim.store.unseal(claim.scope_key, row.response_body)
    except CryptoError:
        # Its key was dropped from GONGKAI_FIELD_ENCRYPTION_KEYS: nothing can be replayed.
        log.error("a stored idempotent response cannot be decrypted; answering 409")
        await _send_problem(
            scope,
            send,
            ProblemError(409, "idempotency_response_unavailable", "该幂等键的已存响应无法读取", "请换用新的幂等键"),
        )
        return True
    await send(
        {
            "type": "http.response.start",
            "status": row.response_status,
            "headers": stored_headers + [(b"idempotent-replayed", b"true")],
        }
    )
    await send({"type": "http.response.body", "body": body})
    return True


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
