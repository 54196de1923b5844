"""Routing as data (通知路由, DESIGN §3 reactions, issue 15 §1): for each event type, who is told, on
which channels, with which template.

The defaults ship as ``services/notifier/routing.yaml``; a deployment overrides them per event type
(``merge_routing``) and the result is validated once, at startup (``parse_routing``), against the
event catalogue and the templates that exist — a typo is a startup error, never a silent gap.

Document shape (after YAML parsing)::

    version: 1
    routes:
      <event type>:                        # an empty list silences the event type
        - to: [<recipient kind>, …]        # shared.vocabulary.RecipientKind
          channels: [inbox | email | sms, …]
          template: <name>                 # a template must exist for every channel listed
    digest:                                # optional: the daily digest per unit (domain/digest.py)
      to: [...]
      channels: [...]
      template: <name>

``webhook`` is not routed here: webhook endpoints subscribe to event types themselves
(``/api/v1/webhooks``) and receive the event or the work-order status (``integrations``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from shared.domain import InvalidInput
from shared.vocabulary import NotificationChannel, RecipientKind

__all__ = [
    "REACHABLE",
    "ROUTABLE_CHANNELS",
    "RoutedChannel",
    "Rule",
    "RoutingTable",
    "merge_routing",
    "parse_routing",
]

RoutedChannel = Literal["inbox", "email", "sms"]
ROUTABLE_CHANNELS: tuple[str, ...] = get_args(RoutedChannel)

# The channels on which each kind of recipient can be reached at all (recipients.py says from what):
# a rule naming a recipient on none of them would tell nobody, so it is refused at startup.
REACHABLE: dict[str, frozenset[str]] = {
    "handler": frozenset({"inbox"}),  # a user id: no address but the user's inbox
    "disclosure_contact": frozenset({"inbox", "email", "sms"}),  # the unit's inbox, the contact's e-mail/phone
    "unit_leaders": frozenset({"inbox", "email", "sms"}),
    "unit": frozenset({"inbox", "email", "sms"}),
    "persons": frozenset({"inbox"}),  # person ids of the decision: their inboxes
    "applicant": frozenset({"email", "sms"}),  # the applicant has no account: only what they chose
    "office": frozenset({"inbox", "email", "sms"}),
    "subscribers": frozenset({"inbox"}),  # subscriptions are to the inbox (issue 15 §1)
}
_KINDS: tuple[str, ...] = get_args(RecipientKind)
_CHANNELS: tuple[str, ...] = get_args(NotificationChannel)
assert set(REACHABLE) == set(_KINDS)


@dataclass(frozen=True)
class Rule:
    """One line of a route: these recipients, on these channels, with this template."""

    to: tuple[RecipientKind, ...]
    channels: tuple[RoutedChannel, ...]
    template: str


@dataclass(frozen=True)
class RoutingTable:
    """The validated routing: rules per event type, and the digest's rule (None: no digest)."""

    routes: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    digest: Rule | None = None

    @property
    def event_types(self) -> frozenset[str]:
        """The event types someone is told about: the ones the notifier's queue must bind."""
        return frozenset(t for t, rules in self.routes.items() if rules)

    def rules_for(self, event_type: str) -> tuple[Rule, ...]:
        return self.routes.get(event_type, ())

    def subscribable(self) -> frozenset[str]:
        """The event types a user may subscribe to (their route tells ``subscribers``)."""
        return frozenset(t for t, rules in self.routes.items() if any("subscribers" in r.to for r in rules))


def merge_routing(defaults: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    """The defaults with a deployment's override applied, before validation.

    An event type in the override replaces that event type's rules wholesale (``[]`` silences it);
    a ``digest`` key replaces the digest (``null`` switches it off). Anything else is kept.
    """
    merged = dict(defaults)
    if not override:
        return merged
    unknown = set(override) - {"version", "routes", "digest"}
    if unknown:
        raise _malformed("override", f"未知的键：{', '.join(sorted(unknown))}")
    routes = override.get("routes") or {}
    if not isinstance(routes, Mapping):
        raise _malformed("override.routes", "须为以事件类型为键的映射")
    merged["routes"] = {**(defaults.get("routes") or {}), **routes}
    if "digest" in override:
        merged["digest"] = override["digest"]
    return merged


def parse_routing(
    document: object,
    *,
    event_types: Collection[str],
    templates: Collection[tuple[str, str]],
) -> RoutingTable:
    """Validates a parsed routing document; raises :class:`InvalidInput` naming the place.

    ``event_types``: the catalogue (``shared.events.EVENT_TYPES``); ``templates``: the (name,
    channel) pairs for which a template file exists.
    """
    if not isinstance(document, Mapping):
        raise _malformed("(root)", "须为映射")
    unknown = set(document) - {"version", "routes", "digest"}
    if unknown:
        raise _malformed("(root)", f"未知的键：{', '.join(sorted(map(str, unknown)))}")
    if document.get("version", 1) != 1:
        raise _malformed("version", "只支持版本 1")
    routes = document.get("routes")
    if not isinstance(routes, Mapping):
        raise _malformed("routes", "须为以事件类型为键的映射")
    known_templates = {(str(name), str(channel)) for name, channel in templates}
    parsed: dict[str, tuple[Rule, ...]] = {}
    for event_type, rules in routes.items():
        place = f"routes.{event_type}"
        if event_type not in event_types:
            raise InvalidInput(
                "routing_unknown_event_type",
                "路由中有未知的事件类型",
                f"{place}：{event_type!r} 不在事件目录中",
                place=place,
            )
        if rules is None:
            rules = []
        if not isinstance(rules, list):
            raise _malformed(place, "须为规则列表")
        parsed[str(event_type)] = tuple(_rule(rule, f"{place}[{i}]", known_templates) for i, rule in enumerate(rules))
    digest = document.get("digest")
    return RoutingTable(parsed, None if digest is None else _rule(digest, "digest", known_templates))


def _rule(raw: object, place: str, templates: set[tuple[str, str]]) -> Rule:
    if not isinstance(raw, Mapping):
        raise _malformed(place, "须为含 to、channels、template 的映射")
    unknown = set(raw) - {"to", "channels", "template"}
    if unknown:
        raise _malformed(place, f"未知的键：{', '.join(sorted(map(str, unknown)))}")
    to = _names(raw.get("to"), f"{place}.to")
    channels = _names(raw.get("channels"), f"{place}.channels")
    template = raw.get("template")
    if not isinstance(template, str) or not template.strip():
        raise InvalidInput("routing_template_missing", "路由缺少模板", f"{place}.template：须为模板名称", place=place)
    for i, kind in enumerate(to):
        if kind not in _KINDS:
            raise InvalidInput(
                "routing_unknown_recipient",
                "路由中有未知的通知对象",
                f"{place}.to[{i}]：{kind!r} 不是 {'/'.join(_KINDS)} 之一",
                place=f"{place}.to[{i}]",
            )
    for i, channel in enumerate(channels):
        if channel not in _CHANNELS:
            raise InvalidInput(
                "routing_unknown_channel",
                "路由中有未知的渠道",
                f"{place}.channels[{i}]：{channel!r} 不是 {'/'.join(ROUTABLE_CHANNELS)} 之一",
                place=f"{place}.channels[{i}]",
            )
        if channel not in ROUTABLE_CHANNELS:
            raise InvalidInput(
                "routing_channel_not_routable",
                "该渠道不经路由配置",
                f"{place}.channels[{i}]：webhook 由 /api/v1/webhooks 登记的接收方按事件类型订阅",
                place=f"{place}.channels[{i}]",
            )
    for kind in to:
        if not REACHABLE[kind] & set(channels):
            raise InvalidInput(
                "routing_recipient_unreachable",
                "通知对象在所列渠道上无法送达",
                f"{place}：{kind} 只能经 {'/'.join(sorted(REACHABLE[kind]))} 送达",
                place=f"{place}.to",
            )
    for channel in channels:
        if (template, channel) not in templates:
            raise InvalidInput(
                "routing_template_missing",
                "路由所用模板不存在",
                f"{place}：没有模板 {template}（{channel}）",
                place=f"{place}.template",
            )
    return Rule(
        cast("tuple[RecipientKind, ...]", tuple(to)), cast("tuple[RoutedChannel, ...]", tuple(channels)), template
    )


def _names(raw: object, place: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        raise _malformed(place, "须为非空的名称列表")
    if len(set(raw)) != len(raw):
        raise _malformed(place, "名称重复")
    return list(raw)


def _malformed(place: str, detail: str) -> InvalidInput:
    return InvalidInput("routing_malformed", "路由配置格式错误", f"{place}：{detail}", place=place)
