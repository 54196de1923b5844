"""Settings and resources of the notifier service alone (prefix ``GONGKAI_NOTIFIER_``), beside the shared
ones. ``build_resources`` loads the routing (the shipped ``routing.yaml`` with the deployment's override
file merged in) and the templates, and checks both: a routing naming an unknown event type, recipient or
channel, a missing template, or a template that does not compile or render against a sample event stops
the service at startup (issue 15 §1, §3) — never a surprise at the first event."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notifier.domain.breaker import BreakerPolicy
from services.notifier.domain.delivery import RetryPolicy
from services.notifier.domain.quiet_hours import QuietHours, parse_quiet_hours
from services.notifier.domain.recipients import OfficeAddresses
from services.notifier.domain.routing import RoutingTable, merge_routing, parse_routing
from services.notifier.service.channels import Channels
from services.notifier.service.templates import Templates
from shared.crypto import FieldCipher
from shared.domain import DomainError
from shared.events import EVENT_TYPES
from shared.runtime import ServiceRuntime
from shared.settings import Settings

SHIPPED_ROUTING = Path(__file__).parent / "routing.yaml"
SHIPPED_TEMPLATES = Path(__file__).parent / "templates"


class NotifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GONGKAI_NOTIFIER_", extra="ignore")

    # Routing and templates: a deployment's override of routing.yaml (event types replaced wholesale),
    # and a directory of templates taking precedence over the shipped ones (same layout).
    routing_file: Path | None = None
    template_dir: Path | None = None
    # The office's (政务公开工作主管部门) addresses, comma-separated.
    office_emails: str = ""
    office_phones: str = ""
    # SMTP (aiosmtplib). No host: e-mail deliveries fail at once (dead, notification.failed).
    smtp_host: str | None = None
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "gongkai@localhost"
    smtp_timeout_seconds: float = Field(10.0, gt=0)
    smtp_pool_size: int = Field(4, ge=1, le=64)
    # SMS gateway (HTTP). The request body is this JSON with {phone}, {text}, {segments} replaced.
    sms_gateway_url: str | None = None
    sms_method: Literal["POST", "PUT"] = "POST"
    sms_body_template: str = '{"phone": "{phone}", "text": "{text}"}'
    sms_headers: str = "{}"
    sms_signature: str = "【政务公开】"
    sms_max_segments: int = Field(3, ge=1, le=10)
    # Webhooks and the SMS gateway: one HTTP timeout.
    http_timeout_seconds: float = Field(10.0, gt=0)
    # Retries (issue 15 §4): min(cap, base·factor^(k−1)) minus up to jitter of it; dead after max_attempts.
    max_attempts: int = Field(6, ge=1, le=50)
    retry_base_seconds: float = Field(30.0, gt=0)
    retry_factor: float = Field(3.0, ge=1)
    retry_cap_seconds: float = Field(3600.0, gt=0)
    retry_jitter: float = Field(0.5, ge=0, le=1)
    # Circuit breaker per webhook endpoint (issue 15 §5).
    breaker_failure_threshold: int = Field(5, ge=1)
    breaker_cool_down_seconds: float = Field(60.0, gt=0)
    # SMS quiet hours in Asia/Shanghai ("" for none) and the daily digest's hour (issue 15 §6).
    quiet_hours: str = "22:00-07:00"
    digest_hour: int = Field(8, ge=0, le=23)
    digest_check_seconds: float = Field(60.0, gt=0)
    # The dispatcher: rows claimed per round, sends in flight, idle poll, lease of a claim.
    dispatch_batch_size: int = Field(200, ge=1, le=5000)
    dispatch_concurrency: int = Field(32, ge=1, le=512)
    dispatch_poll_seconds: float = Field(1.0, gt=0)
    dispatch_lease_seconds: float = Field(120.0, gt=0)
    dispatch_workers: int = Field(2, ge=1, le=16)


@lru_cache
def get_notifier_settings() -> NotifierSettings:
    return NotifierSettings()


class StartupError(RuntimeError):
    """The routing or the templates are broken: the service refuses to start."""


@dataclass
class NotifierResources:
    """What the notifier's use cases need beside the shared runtime (``ctx.resources``)."""

    settings: NotifierSettings
    routing: RoutingTable
    templates: Templates
    channels: Channels
    cipher: FieldCipher
    retry: RetryPolicy
    breaker: BreakerPolicy
    quiet_hours: QuietHours | None
    office: OfficeAddresses
    random: Any = field(default_factory=lambda: random.Random().random)
    # Set after a transaction that created deliveries commits: the dispatcher wakes at once.
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)


def load_routing(own: NotifierSettings, templates: Templates) -> RoutingTable:
    defaults = yaml.safe_load(SHIPPED_ROUTING.read_text(encoding="utf-8"))
    override = None
    if own.routing_file is not None:
        try:
            override = yaml.safe_load(own.routing_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise StartupError(f"routing override {own.routing_file}: {exc}") from exc
    try:
        return parse_routing(
            merge_routing(defaults, override), event_types=set(EVENT_TYPES), templates=templates.available()
        )
    except DomainError as exc:
        raise StartupError(f"routing: {exc.detail or exc.title}") from exc


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def build_resources(settings: Settings, own: NotifierSettings | None = None) -> NotifierResources:
    """``ServiceSpec.resources``: built once per runtime; raises :class:`StartupError` when the
    routing or a template is broken."""
    own = own or get_notifier_settings()
    dirs = [own.template_dir, SHIPPED_TEMPLATES] if own.template_dir else [SHIPPED_TEMPLATES]
    templates = Templates(dirs)
    routing = load_routing(own, templates)
    problems = templates.check(routing)
    if problems:
        raise StartupError("templates: " + "; ".join(problems))
    try:
        quiet = parse_quiet_hours(own.quiet_hours) if own.quiet_hours.strip() else None
        retry = RetryPolicy(
            max_attempts=own.max_attempts,
            base=timedelta(seconds=own.retry_base_seconds),
            factor=own.retry_factor,
            cap=timedelta(seconds=max(own.retry_cap_seconds, own.retry_base_seconds)),
            jitter=own.retry_jitter,
        )
        breaker = BreakerPolicy(own.breaker_failure_threshold, timedelta(seconds=own.breaker_cool_down_seconds))
        channels = Channels(own)
    except (DomainError, ValueError) as exc:
        raise StartupError(f"settings: {getattr(exc, 'detail', None) or exc}") from exc
    return NotifierResources(
        settings=own,
        routing=routing,
        templates=templates,
        channels=channels,
        cipher=FieldCipher(settings),
        retry=retry,
        breaker=breaker,
        quiet_hours=quiet,
        office=OfficeAddresses(_csv(own.office_emails), _csv(own.office_phones)),
    )


# What every use case of the service takes as ``ctx`` (with the caller's ``session``).
Ctx = ServiceRuntime[NotifierResources]
