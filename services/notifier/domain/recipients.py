"""Recipient resolution (通知对象): from a route, the event's data, the unit replica and the
subscriptions to the list of (recipient, channel, address) to deliver to — once each.

How each kind resolves (``shared.vocabulary.RecipientKind``):

| kind | inbox | email / sms |
|---|---|---|
| ``handler`` | ``user:<handler_id>``; the unit's inbox while ``handler_id`` is absent (an unassigned application: its unit must hear) | — (the event names a user, not an address) |
| ``disclosure_contact`` | the unit's inbox ``unit:<code>`` | each contact with role ``disclosure_contact`` |
| ``unit_leaders`` | the unit's inbox | each contact with role ``principal_leader`` / ``leader_in_charge`` |
| ``unit`` | the unit's inbox | the unit's disclosure contacts (its address for 政务公开 matters) |
| ``persons`` | ``user:<id>`` for each id in ``persons`` | — |
| ``applicant`` | — (no account) | ``applicant_contact.email`` / ``.phone``: only what the applicant chose |
| ``office`` | the office's inbox ``office`` | the office addresses of the deployment |
| ``subscribers`` | ``user:<id>`` of each subscription matching the event type or the unit | — |

Deduplication: one target per (recipient, channel) and one per (channel, address) — the first rule
that names it wins, so a leader who is also the contact gets one e-mail, and a handler who
subscribed gets one inbox message. The delivery's dedup key is (event id, recipient, channel):
a redelivered event resolves to the same keys and is sent once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.notifier.domain.routing import RoutedChannel, Rule
from shared.domain import InvalidInput
from shared.vocabulary import LEADER_ROLES, ContactRole, RecipientKind

__all__ = [
    "OFFICE_INBOX",
    "Contact",
    "DedupKey",
    "OfficeAddresses",
    "Resolution",
    "Subscription",
    "Target",
    "UnitSnapshot",
    "Unreached",
    "resolve",
]

OFFICE_INBOX = "office"

DedupKey = tuple[str, str, str]  # (event id, recipient, channel)


@dataclass(frozen=True)
class Contact:
    """A unit's contact as the replica holds it (``unit.upserted`` contacts)."""

    name: str
    role: ContactRole = "other"
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class UnitSnapshot:
    """What the notifier knows of a unit: filled by the service from the replicated unit directory."""

    unit_code: str
    name: str
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True)
class Subscription:
    """A user's subscription to their inbox: an event type, a unit, or both (both must match)."""

    user_id: str
    event_type: str | None = None
    unit_code: str | None = None

    def __post_init__(self) -> None:
        if self.event_type is None and self.unit_code is None:
            raise InvalidInput("subscription_empty", "订阅须指定事件类型或单位", "event_type 与 unit_code 至少填一项")

    def matches(self, event_type: str, unit_code: str | None) -> bool:
        return (self.event_type is None or self.event_type == event_type) and (
            self.unit_code is None or self.unit_code == unit_code
        )


@dataclass(frozen=True)
class OfficeAddresses:
    """The office's (政务公开工作主管部门) e-mail addresses and phones, from the deployment's settings."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """One delivery to make: who, on which channel, to which address, with which template."""

    recipient: str  # stable id: "user:…", "unit:…", "contact:<unit>:<name>", "applicant:<request>", "office…"
    kind: RecipientKind
    channel: RoutedChannel
    address: str  # inbox: the recipient's inbox id; email: an e-mail address; sms: a phone number
    template: str

    def dedup_key(self, event_id: str) -> DedupKey:
        return (event_id, self.recipient, self.channel)


@dataclass(frozen=True)
class Unreached:
    """A recipient kind of the route that resolved to nobody, and why (for the log, not an error)."""

    kind: RecipientKind
    reason: str


@dataclass(frozen=True)
class Resolution:
    targets: tuple[Target, ...]
    unreached: tuple[Unreached, ...]


def resolve(
    rules: Sequence[Rule],
    data: Mapping[str, Any],
    *,
    event_type: str,
    unit: UnitSnapshot | None,
    subscriptions: Iterable[Subscription] = (),
    office: OfficeAddresses | None = None,
) -> Resolution:
    """The deduplicated targets of an event's rules (see the module's table)."""
    unit_code = data.get("unit_code")
    unit_code = str(unit_code) if unit_code else None
    subs = tuple(subscriptions)
    office = office or OfficeAddresses()
    targets: list[Target] = []
    unreached: list[Unreached] = []
    seen_recipients: set[tuple[str, str]] = set()
    seen_addresses: set[tuple[str, str]] = set()
    for rule in rules:
        for kind in rule.to:
            found = 0
            problems: list[str] = []
            for channel in rule.channels:
                candidates, problem = _candidates(kind, channel, data, event_type, unit_code, unit, subs, office)
                if problem and not candidates and problem not in problems:
                    problems.append(problem)
                for recipient, address in candidates:
                    found += 1
                    if (recipient, channel) in seen_recipients or (channel, address) in seen_addresses:
                        continue
                    seen_recipients.add((recipient, channel))
                    seen_addresses.add((channel, address))
                    targets.append(Target(recipient, kind, channel, address, rule.template))
            if not found:
                unreached.append(Unreached(kind, "；".join(problems)))
    return Resolution(tuple(targets), tuple(unreached))


def _candidates(
    kind: RecipientKind,
    channel: RoutedChannel,
    data: Mapping[str, Any],
    event_type: str,
    unit_code: str | None,
    unit: UnitSnapshot | None,
    subscriptions: tuple[Subscription, ...],
    office: OfficeAddresses,
) -> tuple[list[tuple[str, str]], str | None]:
    """(recipient, address) pairs of one kind on one channel, or why there are none."""
    if kind == "handler":
        if channel != "inbox":
            return [], "承办人只能经站内信通知"
        handler = data.get("handler_id")
        if handler:
            return [(f"user:{handler}", str(handler))], None
        # No handler assigned (or an event that names none, like request.due_soon): its unit hears.
        return _unit_inbox(unit_code, "事件未指定承办人，也没有单位")
    if kind in ("disclosure_contact", "unit_leaders", "unit"):
        if channel == "inbox":
            return _unit_inbox(unit_code, "事件没有单位")
        if unit is None:
            return [], f"单位目录中没有单位 {unit_code}"
        roles: tuple[str, ...] = LEADER_ROLES if kind == "unit_leaders" else ("disclosure_contact",)
        return _contact_addresses(unit, roles, channel), f"单位 {unit.unit_code} 没有该角色联系人的{_label(channel)}"
    if kind == "persons":
        if channel != "inbox":
            return [], "被追究责任人员只能经站内信通知"
        persons = data.get("persons") or []
        return [(f"user:{p}", str(p)) for p in persons if p], "事件没有列出人员"
    if kind == "applicant":
        contact = data.get("applicant_contact") or {}
        field = {"email": "email", "sms": "phone"}.get(channel)
        value = contact.get(field) if field and isinstance(contact, Mapping) else None
        if not value:
            return [], "申请人未选择该送达方式"
        return [(f"applicant:{data.get('request_id')}", str(value))], None
    if kind == "office":
        if channel == "inbox":
            return [(OFFICE_INBOX, OFFICE_INBOX)], None
        addresses = office.emails if channel == "email" else office.phones
        return [(f"office:{a}", a) for a in addresses], f"未配置主管部门的{_label(channel)}"
    # subscribers
    if channel != "inbox":
        return [], "订阅只通过站内信送达"
    users = [s.user_id for s in subscriptions if s.matches(event_type, unit_code)]
    return [(f"user:{u}", u) for u in dict.fromkeys(users)], "没有匹配的订阅"


def _unit_inbox(unit_code: str | None, reason: str) -> tuple[list[tuple[str, str]], str | None]:
    return ([(f"unit:{unit_code}", unit_code)], None) if unit_code else ([], reason)


def _contact_addresses(unit: UnitSnapshot, roles: tuple[str, ...], channel: RoutedChannel) -> list[tuple[str, str]]:
    # Leaders in LEADER_ROLES order, then the owner's order: 责任追究制度 第五条 (seed 001) holds the
    # 单位主要负责人 to account first; seed 004 第十二条 makes the unit's head its 第一责任人.
    chosen = sorted((c for c in unit.contacts if c.role in roles), key=lambda c: roles.index(c.role))
    out: list[tuple[str, str]] = []
    for contact in chosen:
        address = contact.email if channel == "email" else contact.phone
        if address:
            out.append((f"contact:{unit.unit_code}:{contact.name}", address))
    return out


def _label(channel: str) -> str:
    return {"email": "电子邮箱", "sms": "手机号码"}.get(channel, channel)
