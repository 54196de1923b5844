"""JSON logs with the request id, Prometheus metrics, and the request-context middleware.

The request id comes from ``X-Request-ID`` (or is made up), is echoed in the response, sits in
every log line of the request, and becomes the ``correlationid`` of the events the request emits.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.routing import compile_path

from shared.context import current_request_id, request_id_var

HTTP_REQUESTS = Counter("gongkai_http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "gongkai_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_PUBLISHED = Counter("gongkai_outbox_published_total", "Events published from an outbox", ["service"])
OUTBOX_PUBLISH_FAILURES = Counter(
    "gongkai_outbox_publish_failures_total", "Outbox rows whose publish failed (they are retried)", ["service"]
)
OUTBOX_PENDING = Gauge("gongkai_outbox_pending", "Outbox rows not yet sent", ["service"])
BUS_CONNECTED = Gauge("gongkai_bus_connected", "1 while this process has its connection to the message broker")
EVENTS_CONSUMED = Counter(
    "gongkai_events_consumed_total",
    "Events handled by a consumer",
    ["service", "type", "outcome"],  # outcome: applied, duplicate, retried, dead
)

_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        record.__dict__.pop("color_message", None)  # uvicorn's terminal-coloured copy of the message
        return True


def configure_logging(level: str = "INFO", *, json_output: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_output:
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Access lines come from our middleware, with the request id and route.
    logging.getLogger("uvicorn.access").disabled = True


class RequestContextMiddleware:
    """Pure ASGI middleware: request id in and out, one access log line, HTTP metrics."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.log = logging.getLogger("gongkai.access")

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope["gongkai.request_id"] = request_id  # for the last-resort 500 handler outside us
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = route_template(scope)
            status = status_holder["status"]
            HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], template).observe(elapsed)
            # A 5xx is the platform's failure: logged at ERROR so it survives a quiet log level.
            self.log.log(
                logging.ERROR if status >= 500 else logging.INFO,
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                },
            )
            request_id_var.reset(token)


def route_template(scope: dict) -> str:
    """The route's path template (``/api/v1/requests/{application_id}``), also for an answer a
    middleware gave before routing (a replay, a body too large, a database that does not answer):
    then the path is matched against the app's documented templates, in route order. Paths that
    match no route share one label, so a scanner cannot blow up the metric's cardinality."""
    route = scope.get("route")
    if route is not None:
        return str(getattr(route, "path", "unmatched"))
    app = scope.get("app")
    if app is None or not hasattr(app, "openapi"):
        return "unmatched"
    templates: list[tuple[re.Pattern[str], str]] | None = getattr(app.state, "route_templates", None)
    if templates is None:
        templates = [(compile_path(path)[0], path) for path in app.openapi().get("paths", {})]
        app.state.route_templates = templates
    return next((template for regex, template in templates if regex.match(scope["path"])), "unmatched")
