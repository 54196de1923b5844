"""The outside edge (issue 15 §2, §5): e-mail over SMTP (aiosmtplib), SMS through an HTTP gateway,
signed webhooks. Each send returns a :class:`SendResult`; nothing here touches the database or
decides about retries — the dispatcher does, with ``domain.delivery``.

- **E-mail**: a plain-text and an HTML part; TLS (``tls``: implicit, ``starttls``, ``none``) and
  AUTH from settings; a small pool of open SMTP connections (``smtp_pool_size``), each used by one
  send at a time and dropped on any error (the next send reconnects).
- **SMS**: the gateway's request shape is configuration — a JSON body whose string values may hold
  ``{phone}``, ``{text}`` and ``{segments}``, plus headers (an API key) — because every gateway
  (运营商 / 云短信) wants its own. The text is cut to ``sms_max_segments`` segments (``domain.sms``).
- **Webhook**: the body as stored, signed at send time (DESIGN §9: ``X-Gongkai-Timestamp``,
  ``X-Gongkai-Signature: v1=…`` over the real wall clock, as the receiver checks it), with
  ``Idempotency-Key`` = the delivery id so a receiver drops a repeat after a lost response.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

import aiosmtplib
import httpx

from services.notifier.domain.delivery import is_permanent_failure
from services.notifier.domain.sms import measure, truncate
from shared.signing import sign
from shared.vocabulary import NotificationChannel

if TYPE_CHECKING:
    from services.notifier.config import NotifierSettings

__all__ = ["Channels", "SendResult", "sms_text"]


@dataclass(frozen=True)
class SendResult:
    ok: bool
    response_code: int | None = None
    error: str | None = None
    permanent: bool = False

    @classmethod
    def failure(cls, channel: NotificationChannel, error: str, code: int | None = None) -> SendResult:
        return cls(False, code, error, is_permanent_failure(channel, code))


def sms_text(text: str, signature: str, max_segments: int) -> tuple[str, int]:
    """The text as sent (signature first, as carriers require) and its segment count."""
    full = truncate(f"{signature}{text}", max_segments)
    return full, measure(full).segments


def _fill(value: Any, fields: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, replacement in fields.items():
            value = value.replace("{" + key + "}", replacement)
        return value
    if isinstance(value, list):
        return [_fill(v, fields) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, fields) for k, v in value.items()}
    return value


class Channels:
    def __init__(self, own: NotifierSettings) -> None:
        self.settings = own
        self.sms_body = json.loads(own.sms_body_template)
        self.sms_headers = {str(k): str(v) for k, v in json.loads(own.sms_headers).items()}
        if not isinstance(self.sms_body, dict):
            raise ValueError("GONGKAI_NOTIFIER_SMS_BODY_TEMPLATE must be a JSON object")
        self._http: httpx.AsyncClient | None = None
        self._smtp: asyncio.Queue[aiosmtplib.SMTP | None] | None = None

    # -- lifecycle --------------------------------------------------------------------------------

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            limits = httpx.Limits(max_connections=self.settings.dispatch_concurrency, max_keepalive_connections=64)
            self._http = httpx.AsyncClient(timeout=self.settings.http_timeout_seconds, limits=limits)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._smtp is not None:
            while not self._smtp.empty():
                client = self._smtp.get_nowait()
                if client is not None and client.is_connected:
                    try:
                        await client.quit()
                    except (aiosmtplib.SMTPException, OSError):
                        client.close()
            self._smtp = None

    # -- e-mail -----------------------------------------------------------------------------------

    def _pool(self) -> asyncio.Queue[aiosmtplib.SMTP | None]:
        if self._smtp is None:
            self._smtp = asyncio.Queue()
            for _ in range(self.settings.smtp_pool_size):
                self._smtp.put_nowait(None)  # a free slot, connected on first use
        return self._smtp

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls == "tls",
            start_tls=s.smtp_tls == "starttls",
            username=s.smtp_username,
            password=s.smtp_password,
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        return client

    def email_message(self, address: str, content: dict[str, Any], delivery_id: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_sender
        message["To"] = address
        message["Subject"] = str(content.get("subject", ""))
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=delivery_id.replace("-", ""), domain="gongkai.local")
        message["X-Gongkai-Notification-Id"] = delivery_id
        message.set_content(str(content.get("text", "")))
        message.add_alternative(str(content.get("html", "")), subtype="html")
        return message

    async def send_email(self, address: str, content: dict[str, Any], delivery_id: str) -> SendResult:
        if not self.settings.smtp_host:
            return SendResult(False, None, "未配置 SMTP 服务器（GONGKAI_NOTIFIER_SMTP_HOST）", permanent=True)
        message = self.email_message(address, content, delivery_id)
        pool = self._pool()
        client = await pool.get()
        try:
            if client is None or not client.is_connected:
                client = await self._connect()
            await client.send_message(message)
            return SendResult(True, 250)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            return SendResult.failure("email", f"SMTP 拒收：{refused or exc}", refused.code if refused else None)
        except aiosmtplib.SMTPResponseException as exc:
            client = _drop(client)
            return SendResult.failure("email", f"SMTP {exc.code} {exc.message}", exc.code)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            client = _drop(client)
            return SendResult.failure("email", f"SMTP 连接失败：{type(exc).__name__}: {exc}")
        finally:
            pool.put_nowait(client)

    # -- SMS --------------------------------------------------------------------------------------

    async def send_sms(self, address: str, content: dict[str, Any]) -> SendResult:
        s = self.settings
        if not s.sms_gateway_url:
            return SendResult(False, None, "未配置短信网关（GONGKAI_NOTIFIER_SMS_GATEWAY_URL）", permanent=True)
        text = str(content.get("text", ""))
        body = _fill(self.sms_body, {"phone": address, "text": text, "segments": str(content.get("segments", ""))})
        try:
            response = await self.http.request(s.sms_method, s.sms_gateway_url, json=body, headers=self.sms_headers)
        except httpx.HTTPError as exc:
            return SendResult.failure("sms", f"短信网关不可达：{type(exc).__name__}: {exc}")
        if response.is_success:
            return SendResult(True, response.status_code)
        return SendResult.failure(
            "sms", f"短信网关 HTTP {response.status_code}: {response.text[:200]}", response.status_code
        )

    # -- webhooks ---------------------------------------------------------------------------------

    async def send_webhook(
        self, url: str, secret: str, body: bytes, *, delivery_id: str, event_type: str
    ) -> SendResult:
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": delivery_id,
            "X-Gongkai-Event-Type": event_type,
            **sign(secret, body, timestamp=int(time.time())),
        }
        try:
            response = await self.http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return SendResult.failure("webhook", f"接收方不可达：{type(exc).__name__}: {exc}")
        if response.is_success:
            return SendResult(True, response.status_code)
        return SendResult.failure(
            "webhook", f"接收方 HTTP {response.status_code}: {response.text[:200]}", response.status_code
        )


def _drop(client: aiosmtplib.SMTP | None) -> None:
    if client is not None:
        client.close()
    return None
