"""Text the databases cannot store, refused at the door (issue 8, item 7): one middleware for every
route of every service, instead of a check per endpoint.

PostgreSQL refuses the NUL character in ``text``/``varchar`` (and asyncpg, like SQLite's driver,
cannot encode a lone UTF-16 surrogate into UTF-8). Such a character reached the database from a
query parameter (``/units?q=a%00b``), a path segment, a cursor, or a JSON string (``"\\u0000"``,
``"\\ud800"``) and came back as a 500. :class:`InputGuardMiddleware` answers 400
``invalid_characters`` for:

- a NUL in the path or in any query parameter (name or value, after percent-decoding; invalid
  UTF-8 there is already replaced by U+FFFD, which the database takes);
- a ``\\u0000`` escape or an unpaired surrogate escape in a JSON body (``application/json`` or
  ``…+json``); a raw NUL or a raw encoded surrogate is invalid JSON and UTF-8 anyway (400
  ``malformed_json`` from the app);

and 400 ``json_too_deep`` for a JSON body nested deeper than :data:`MAX_JSON_DEPTH` (no document
of the API needs more than a handful of levels; a parser or a ``json.dumps`` of a thousand levels
ends in ``RecursionError``). Multipart bodies (attachments) are not inspected: a file may hold any
byte; the attachment's file name is cleaned where it is stored.

Two safety nets behind the routes' own validation (:func:`install_input_handlers`): a value the
database refuses as data (``DataError``: a number out of its column's range, a string longer than
its ``varchar``) and date arithmetic pushed past year 1 or 9999 by an extreme input
(``OverflowError``) are 422 problems, not 500s. Each is logged (route only; statement parameters
are never logged, shared.db) so the missing validation can be added where it belongs.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl

import sqlalchemy.exc
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import problem_response

log = logging.getLogger("gongkai.inputs")

MAX_JSON_DEPTH = 32

# A \uXXXX escape preceded by an even number of backslashes (an odd number means the backslash
# before the "u" is itself escaped, and the "u" is a plain letter).
_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u([0-9a-fA-F]{4})")
# JSON strings (to drop before counting brackets) and the brackets themselves.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _bad_text(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def query_has_bad_text(query_string: bytes) -> bool:
    if b"%00" not in query_string.lower() and b"\x00" not in query_string:
        return False
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return any("\x00" in name or "\x00" in value for name, value in pairs)


def json_has_bad_escape(body: bytes) -> bool:
    """True for a ``\\u0000`` escape or a surrogate escape that is not a high-low pair."""
    if b"\\u" not in body and b"\\U" not in body:
        return False
    pending_high: int | None = None  # where the escape after an unpaired high surrogate must start
    for match in _ESCAPE.finditer(body):
        code = int(match.group(1), 16)
        start = match.end() - 6
        if pending_high is not None:
            if 0xDC00 <= code <= 0xDFFF and start == pending_high:
                pending_high = None
                continue
            return True
        if code == 0 or 0xDC00 <= code <= 0xDFFF:
            return True
        if 0xD800 <= code <= 0xDBFF:
            pending_high = match.end()
    return pending_high is not None


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the document nests arrays/objects deeper than ``limit`` (brackets inside strings
    do not count). Cheap for ordinary bodies: only counted when there are enough brackets."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class InputGuardMiddleware:
    """Pure ASGI middleware; see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _bad_text(scope.get("path", "")) or query_has_bad_text(scope.get("query_string", b"")):
            await _refuse(
                scope, send, "invalid_characters", "请求含有不允许的字符", "路径或查询参数中不能含有 NUL 字符"
            )
            return
        content_type = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"content-type"), None)
        if scope["method"] not in ("POST", "PUT", "PATCH") or not is_json_media_type(content_type):
            await self.app(scope, receive, send)
            return
        body, more = await _read(receive)
        if body is None:
            return
        if json_has_bad_escape(body):
            await _refuse(
                scope,
                send,
                "invalid_characters",
                "请求含有不允许的字符",
                "JSON 字符串中不能含有 \\u0000 或不成对的代理项（\\ud800–\\udfff）",
            )
            return
        if json_depth_exceeds(body):
            await _refuse(
                scope, send, "json_too_deep", "请求体嵌套过深", f"JSON 的数组、对象嵌套不能超过 {MAX_JSON_DEPTH} 层"
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await more()

        await self.app(scope, replay, send)


async def _read(receive: Receive) -> tuple[bytes | None, Receive]:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None, receive
        chunks.extend(message.get("body", b""))
        if not message.get("more_body"):
            return bytes(chunks), receive


async def _refuse(scope: Scope, send: Send, code: str, title: str, detail: str) -> None:
    response = problem_response(400, code, title, detail, request=Request(scope))
    await response(scope, _disconnected, send)


async def _disconnected() -> Any:
    return {"type": "http.disconnect"}


async def _value_not_storable(request: Request, exc: Exception) -> Response:
    route = getattr(request.scope.get("route"), "path", request.url.path)
    log.warning("the database refused a value in %s %s: %s", request.method, route, type(exc.__cause__ or exc).__name__)
    return problem_response(
        422, "value_not_storable", "数值超出允许范围或无法存储", "请求中的某个值超出了允许的范围或长度", request=request
    )


async def _value_out_of_range(request: Request, _exc: Exception) -> Response:
    route = getattr(request.scope.get("route"), "path", request.url.path)
    log.warning("an input overflowed in %s %s", request.method, route)
    return problem_response(
        422, "value_out_of_range", "数值超出允许范围", "请求中的日期或数值超出了可处理的范围", request=request
    )


def install_input_handlers(app: FastAPI) -> None:
    """Registers the two safety nets of the module docstring."""
    app.add_exception_handler(sqlalchemy.exc.DataError, _value_not_storable)
    app.add_exception_handler(OverflowError, _value_out_of_range)
