"""Notification templates (通知模板, DESIGN §9; issue 15 §3): Jinja2 files in Chinese, one per template
name and channel — ``templates/<name>/<channel>.j2`` — each holding the blocks its channel needs:

| channel | blocks |
|---|---|
| ``inbox`` | ``title``, ``body`` |
| ``email`` | ``subject``, ``text`` (the plain-text part), ``html`` (the HTML part) |
| ``sms`` | ``text`` |

The ``html`` block is rendered by an autoescaping environment, every other block by a plain-text one
(the same file compiled twice), so a unit name like ``<b>`` shows as text in the HTML part and stays as
it is in the plain one. Both environments are sandboxed and strict: an undefined variable is an error.

A deployment's ``GONGKAI_NOTIFIER_TEMPLATE_DIR`` holds files of the same layout that take precedence.
:meth:`Templates.check` compiles every file, checks its blocks and renders each against a sample event
of every event type whose route uses it — run at startup, so a broken or missing template stops the
service (issue 15 §3).

The context a template gets: ``event`` (``id``, ``type``, ``time``, ``subject``), ``data`` (the event's
data as JSON: dates are ``YYYY-MM-DD`` strings), ``unit`` (``unit_code``, ``name``), ``recipient``
(``kind``, ``label``), ``digest`` (digest templates: ``on``, ``overdue``, ``due_soon``), and the
filters ``date_cn`` (``2026年1月5日``), ``outcome``, ``channel``, ``violation``, ``sanction``, ``grade``,
``work_order_status`` (their Chinese labels).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from services.notifier.domain.quiet_hours import LOCAL_TZ
from services.notifier.domain.routing import ROUTABLE_CHANNELS, RoutingTable
from services.notifier.service.samples import sample_context
from shared.domain import InvalidInput
from shared.vocabulary import (
    CHANNEL_LABELS,
    GRADE_LABELS,
    OUTCOME_LABELS,
    SANCTION_LABELS,
    VIOLATION_LABELS,
    WORK_ORDER_STATUS_LABELS,
)

__all__ = ["BLOCKS", "Templates"]

BLOCKS: dict[str, tuple[str, ...]] = {
    "inbox": ("title", "body"),
    "email": ("subject", "text", "html"),
    "sms": ("text",),
}
_FILE = re.compile(r"^(?P<name>[a-z0-9_.]+)/(?P<channel>[a-z]+)\.j2$")
_SINGLE_LINE = ("title", "subject")


def date_cn(value: object) -> str:
    """``2026-01-05`` (or a date/datetime) → ``2026年1月5日`` (local date for an instant)."""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if not isinstance(value, date):
        text = str(value)
        try:
            value = (
                datetime.fromisoformat(text).astimezone(LOCAL_TZ).date() if "T" in text else date.fromisoformat(text)
            )
        except ValueError:
            return text
    return f"{value.year}年{value.month}月{value.day}日"


def _outcome(code: object) -> str:
    label, group = OUTCOME_LABELS.get(str(code), (str(code), str(code)))
    return label if label == group else f"{group}：{label}"


def _label(labels: Mapping[str, str]) -> Any:
    return lambda code: labels.get(str(code), str(code))


def _environment(dirs: Iterable[Path], *, autoescape: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader([str(d) for d in dirs], encoding="utf-8"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        date_cn=date_cn,
        outcome=_outcome,
        channel=_label(CHANNEL_LABELS),
        violation=_label(VIOLATION_LABELS),
        sanction=_label(SANCTION_LABELS),
        grade=_label(GRADE_LABELS),
        work_order_status=_label(WORK_ORDER_STATUS_LABELS),
    )
    return env


class Templates:
    """The template files of a deployment (the override directory first, then the shipped one)."""

    def __init__(self, dirs: Iterable[Path]) -> None:
        self.dirs = [Path(d) for d in dirs]
        self._text = _environment(self.dirs, autoescape=False)
        self._html = _environment(self.dirs, autoescape=True)

    def available(self) -> set[tuple[str, str]]:
        """Every (template name, channel) for which a file exists."""
        found = set()
        for path in self._text.list_templates(extensions=["j2"]):
            match = _FILE.match(path)
            if match and match["channel"] in BLOCKS:
                found.add((match["name"], match["channel"]))
        return found

    def render(self, name: str, channel: str, context: Mapping[str, Any]) -> dict[str, str]:
        """The rendered blocks of ``<name>/<channel>.j2``; raises :class:`InvalidInput` (422
        ``template_error``) when the template is missing or fails on this context."""
        if channel not in BLOCKS:
            raise InvalidInput("template_channel_unknown", "未知的通知渠道", f"{channel!r} 不是 inbox/email/sms 之一")
        path = f"{name}/{channel}.j2"
        try:
            out: dict[str, str] = {}
            # One context per compiled file for all its blocks: building one is most of a render.
            contexts: dict[bool, tuple[Template, Context]] = {}
            for block in BLOCKS[channel]:
                html = block == "html"
                if html not in contexts:
                    template = (self._html if html else self._text).get_template(path)
                    contexts[html] = template, template.new_context(dict(context))
                template, jinja_context = contexts[html]
                if block not in template.blocks:
                    raise TemplateError(f"缺少 {{% block {block} %}}")
                rendered = "".join(template.blocks[block](jinja_context)).strip()
                out[block] = " ".join(rendered.split()) if block in _SINGLE_LINE else rendered
            return out
        except Exception as exc:  # a template may fail in any way (a filter on a wrong type …)
            raise InvalidInput("template_error", "通知模板无法渲染", f"{path}：{exc}", template=path) from exc

    def check(self, routing: RoutingTable) -> list[str]:
        """What is wrong with the templates: each file compiled with its blocks, and every template a
        route uses rendered against a sample event of that route's event type (the digest's against
        a sample digest). Empty when all is well."""
        problems: list[str] = []
        uses: dict[tuple[str, str], set[str]] = {}
        for event_type, rules in routing.routes.items():
            for rule in rules:
                for channel in rule.channels:
                    uses.setdefault((rule.template, channel), set()).add(event_type)
        if routing.digest is not None:
            for channel in routing.digest.channels:
                uses.setdefault((routing.digest.template, channel), set()).add("digest")
        for name, channel in sorted(self.available() | set(uses)):
            if (name, channel) not in self.available():
                problems.append(f"{name}/{channel}.j2 不存在")
                continue
            for event_type in sorted(uses.get((name, channel), ())):
                try:
                    content = self.render(name, channel, sample_context(event_type, channel))
                except InvalidInput as exc:
                    problems.append(f"{exc.detail}（示例事件 {event_type}）")
                    break
                empty = [block for block, text in content.items() if not text]
                if empty:
                    problems.append(f"{name}/{channel}.j2：块 {', '.join(empty)} 渲染为空（示例事件 {event_type}）")
            else:
                if not uses.get((name, channel)):
                    try:  # compiled even when no route uses it: a syntax error is found now
                        self._compile(name, channel)
                    except InvalidInput as exc:
                        problems.append(str(exc.detail))
        return problems

    def _compile(self, name: str, channel: str) -> None:
        path = f"{name}/{channel}.j2"
        try:
            for env in (self._text, self._html):
                template = env.get_template(path)
                missing = [b for b in BLOCKS[channel] if b not in template.blocks]
                if missing:
                    raise TemplateError(f"缺少块 {', '.join(missing)}")
        except TemplateError as exc:
            raise InvalidInput("template_error", "通知模板无法渲染", f"{path}：{exc}") from exc


assert set(BLOCKS) == set(ROUTABLE_CHANNELS)
