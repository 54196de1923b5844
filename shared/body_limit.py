"""Request bodies over ``GONGKAI_MAX_BODY_BYTES`` answered with a 413 problem (请求体大小限制),
before the app reads them when their size is declared, as they stream otherwise."""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import STATUS_PROBLEMS, problem_response


class _PayloadTooLarge(StarletteHTTPException):
    """Raised from ``receive`` once a streamed body passes the limit.

    An HTTPException on purpose: FastAPI re-raises those from body reading (anything else it
    turns into a 400), so the app's own handler answers 413 as a problem.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"请求体超过 {max_bytes} 字节的上限")


class BodySizeLimitMiddleware:
    """Pure ASGI middleware refusing request bodies over ``max_bytes`` (请求体大小限制).

    A declared ``Content-Length`` over the limit is refused before any byte is read; a body
    without one (chunked) is counted as the app reads it and cut off at the limit. Add it with
    ``app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be >= 0")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared = [v for k, v in scope["headers"] if k == b"content-length"]
        if declared:
            # Signs and junk are malformed, and repeated headers must agree (RFC 9110 §8.6).
            if not all(v.strip().isdigit() for v in declared) or len({int(v) for v in declared}) != 1:
                await self._refuse(scope, receive, send, 400, "Content-Length 请求头格式错误")
                return
            if int(declared[0]) > self.max_bytes:
                await self._refuse(scope, receive, send, 413, f"请求体超过 {self.max_bytes} 字节的上限")
                return

        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _PayloadTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _PayloadTooLarge as exc:
            # Reached only when the body was read outside the app's exception handlers (e.g.
            # by another middleware). Once a response has begun nothing clean can follow.
            if response_started:
                raise
            await self._refuse(scope, receive, send, 413, str(exc.detail))

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        code, title = STATUS_PROBLEMS[status]
        # The unread body makes the connection unusable for another request.
        response = problem_response(
            status, code, title, detail, request=Request(scope), headers={"Connection": "close"}
        )
        await response(scope, receive, send)
