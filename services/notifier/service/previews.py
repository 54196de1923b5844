"""Template previews (模板预览, issue 15 §3): the templates there are, and one rendered against a
sample event (its data overridable), exactly as a real event would render it."""

from __future__ import annotations

from services.notifier.config import Ctx
from services.notifier.schemas.notifications import PreviewIn, PreviewOut, TemplateList, TemplateRef
from services.notifier.service.channels import sms_text
from services.notifier.service.samples import sample_context, sample_data
from shared.errors import not_found


def _uses(ctx: Ctx) -> dict[tuple[str, str], list[str]]:
    routing = ctx.resources.routing
    uses: dict[tuple[str, str], list[str]] = {}
    for event_type, rules in sorted(routing.routes.items()):
        for rule in rules:
            for channel in rule.channels:
                found = uses.setdefault((rule.template, channel), [])
                if event_type not in found:
                    found.append(event_type)
    if routing.digest is not None:
        for channel in routing.digest.channels:
            uses.setdefault((routing.digest.template, channel), []).append("digest")
    return uses


def list_templates(ctx: Ctx) -> TemplateList:
    uses = _uses(ctx)
    return TemplateList(
        items=[
            TemplateRef(name=name, channel=channel, event_types=uses.get((name, channel), []))  # type: ignore[arg-type]
            for name, channel in sorted(ctx.resources.templates.available())
        ]
    )


def preview(ctx: Ctx, name: str, channel: str, body: PreviewIn) -> PreviewOut:
    if (name, channel) not in ctx.resources.templates.available():
        raise not_found("模板", f"没有模板「{name}」（{channel}）")
    used_by = _uses(ctx).get((name, channel), [])
    event_type = body.event_type or (used_by[0] if used_by else name)
    if event_type != "digest" and not sample_data(event_type):
        raise not_found("示例事件", f"没有事件类型「{event_type}」的示例")
    content: dict[str, object] = dict(
        ctx.resources.templates.render(name, channel, sample_context(event_type, channel, body.data))
    )
    if channel == "sms":
        settings = ctx.resources.settings
        text, segments = sms_text(str(content["text"]), settings.sms_signature, settings.sms_max_segments)
        content = {"text": text, "segments": segments}
    return PreviewOut(name=name, channel=channel, event_type=event_type, content=content)  # type: ignore[arg-type]
