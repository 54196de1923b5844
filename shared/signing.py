"""HMAC signatures of integration calls (接口签名, DESIGN §9).

Outbound webhooks (to the 12345 hotline and the provincial platform) are signed and inbound
integration calls verified the same way::

    X-Gongkai-Timestamp: <unix seconds>
    X-Gongkai-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

A request is refused outside a 5-minute window around ``now`` (either way: a sender's clock may
run ahead) and when its signature was already used. ``now`` is the real wall clock, never a
service's injectable clock: a dev clock moved forward and back must not reopen the window of a
captured request, nor purge the nonces that keep it used (issue 8). Several ``v1=`` values may be sent, comma
separated, and several secrets held, so a shared secret is rotated (密钥轮换) without downtime: the
sender signs with old and new, the receiver accepts either, then the old one is dropped.

Every refusal is a 401 problem with its own stable code (``signature_missing``,
``signature_malformed``, ``signature_expired``, ``signature_invalid``, ``signature_replayed``). A
replay is a 401 too, not a 409: the request is refused as unauthenticated — nothing about the
resource conflicts — and the sender's remedy is the same as for an expired one (sign afresh).
A sender retrying after a failure must therefore re-sign with a new timestamp; the repeated
effect is then caught by ``Idempotency-Key``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from fastapi import Request
from sqlalchemy import Column, DateTime, MetaData, String, Table, delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import insert_or_ignore, rows_affected
from shared.errors import ProblemError

TIMESTAMP_HEADER = "X-Gongkai-Timestamp"
SIGNATURE_HEADER = "X-Gongkai-Signature"
DEFAULT_TOLERANCE_SECONDS = 300

_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")  # ASCII digits only; 12 digits reach the year 33658
_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")
# RFC 9110 §15.5.2: a 401 names the scheme that would be accepted.
_CHALLENGE = {"WWW-Authenticate": 'Gongkai-HMAC-SHA256 headers="X-Gongkai-Timestamp X-Gongkai-Signature"'}


def sign(secret: str, body: bytes, *, timestamp: int) -> dict[str, str]:
    """The two headers signing ``body`` at ``timestamp`` (unix seconds)."""
    stamp = str(timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: f"v1={_hmac(secret, stamp, body)}"}


def verify(
    secret_or_secrets: str | Sequence[str],
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: float,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> str:
    """Checks the signature headers of ``body``; returns the request's replay key (hex).

    The replay key is the signature under the *first* secret, whichever secret matched: a
    request signed with two secrets replayed with only one of its signatures still has the
    same key. ``now`` is the wall clock (unix seconds) — the sender signs with its own, real one.
    Raises :class:`ProblemError` 401 otherwise.
    """
    return _verify(secret_or_secrets, body, headers, now=now, tolerance_seconds=tolerance_seconds)[0]


def _verify(
    secret_or_secrets: str | Sequence[str],
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: float,
    tolerance_seconds: int,
) -> tuple[str, int]:
    secrets = [secret_or_secrets] if isinstance(secret_or_secrets, str) else list(secret_or_secrets)
    if not secrets or not all(secrets):
        # A configuration error, not the caller's: an empty secret would accept anyone's HMAC.
        raise ValueError("at least one non-empty signing secret is needed")
    stamp = _header(headers, TIMESTAMP_HEADER)
    signature_header = _header(headers, SIGNATURE_HEADER)
    if not stamp or not signature_header:
        raise _problem("signature_missing", "缺少签名", f"请求须带 {TIMESTAMP_HEADER} 与 {SIGNATURE_HEADER} 请求头")
    stamp = stamp.strip()
    offered = _offered_signatures(signature_header)
    if not _TIMESTAMP.match(stamp) or not offered:
        raise _problem(
            "signature_malformed",
            "签名格式错误",
            f"{TIMESTAMP_HEADER} 须为 Unix 秒数，{SIGNATURE_HEADER} 须为 v1=<64 位十六进制>",
        )
    timestamp = int(stamp)
    if abs(now - timestamp) > tolerance_seconds:
        raise _problem(
            "signature_expired", "时间戳超出允许范围", f"时间戳须在服务器时间前后 {tolerance_seconds} 秒以内"
        )
    expected = [_hmac(secret, stamp, body) for secret in secrets]
    # Compare against every offered value without stopping early, each in constant time.
    matched = False
    for mine in expected:
        for theirs in offered:
            matched |= hmac.compare_digest(mine, theirs)
    if not matched:
        raise _problem("signature_invalid", "签名无效", "签名与请求内容或密钥不符")
    return expected[0], timestamp


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # Starlette's Headers ignore case; a plain dict (tests, other clients) may not.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _offered_signatures(header: str) -> list[str]:
    """The ``v1=`` values of the header, lower-cased; [] when any of them is not 64 hex digits.

    Values of other versions (``v2=…``) are skipped, so senders can add them ahead of receivers.
    """
    offered: list[str] = []
    for part in header.split(","):
        scheme, sep, value = part.strip().partition("=")
        if not sep or scheme != "v1":
            continue
        if not _SIGNATURE.match(value):
            return []
        offered.append(value.lower())
    return offered


def _hmac(secret: str, stamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _problem(code: str, title: str, detail: str) -> ProblemError:
    return ProblemError(401, code, title, detail, headers=dict(_CHALLENGE))


class ReplayGuard(Protocol):
    """Remembers used signatures (防重放) where every replica of the service sees them."""

    async def first_use(self, signature: str, expires_at: float) -> bool:
        """Records ``signature`` until ``expires_at`` (unix seconds); False if it was already there."""
        ...


def signature_nonces_table(metadata: MetaData) -> Table:
    return Table(
        "signature_nonces",
        metadata,
        Column("signature", String(64), primary_key=True, comment="replay key: hex HMAC-SHA256"),
        Column("expires_at", DateTime(timezone=True), nullable=False, comment="timestamp + tolerance"),
    )


class SqlReplayGuard:
    """A :class:`ReplayGuard` on the service's database (the ``signature_nonces`` table)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], table: Table) -> None:
        self._sessions = sessions
        self._table = table

    async def first_use(self, signature: str, expires_at: float) -> bool:
        # Its own transaction: the use is recorded even if the request's work later rolls back,
        # and the primary key makes two replicas racing on one signature admit only one.
        async with self._sessions.begin() as session:
            result = await session.execute(
                insert_or_ignore(session, self._table).values(
                    signature=signature, expires_at=datetime.fromtimestamp(expires_at, UTC)
                )
            )
            return rows_affected(result) == 1

    async def purge_expired(self, now: float | None = None) -> int:
        """Deletes signatures whose window has closed (a replay of them is refused as expired) by
        the wall clock. ``now`` (a service clock's, from callers of an older signature) can only
        make the purge more cautious, never reach beyond the real time."""
        cutoff = time.time() if now is None else min(now, time.time())
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(self._table).where(self._table.c.expires_at < datetime.fromtimestamp(cutoff, UTC))
            )
            return rows_affected(result)


async def verify_request(
    request: Request,
    secrets: str | Sequence[str],
    guard: ReplayGuard,
    *,
    now: float | None = None,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bytes:
    """Verifies a signed integration call and records its use; returns the body it signed.
    ``now``: the wall clock unless a test passes its own (never a service's dev clock).

    Raises :class:`ProblemError` 401 — ``signature_replayed`` (请求重放) for a second use.
    """
    now = time.time() if now is None else now
    body = await request.body()
    signature, timestamp = _verify(secrets, body, request.headers, now=now, tolerance_seconds=tolerance_seconds)
    # After timestamp + tolerance the window check refuses the request anyway: keep it that long.
    if not await guard.first_use(signature, timestamp + tolerance_seconds):
        raise _problem("signature_replayed", "请求重放", "该签名已被使用；重试须以新的时间戳重新签名")
    return body
