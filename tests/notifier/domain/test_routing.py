"""Routing as data: the shipped defaults, the validator naming the place, deployment overrides."""

from __future__ import annotations

import pytest

from services.notifier.domain.routing import RoutingTable, Rule, merge_routing, parse_routing
from shared.domain import InvalidInput
from shared.events import EVENT_TYPES
from tests.notifier.domain.shipped import shipped_document, templates_of


def _parse(document: object, templates: set[tuple[str, str]] | None = None) -> RoutingTable:
    assert isinstance(document, dict)
    return parse_routing(
        document, event_types=EVENT_TYPES, templates=templates_of(document) if templates is None else templates
    )


def _refused(document: object, templates: set[tuple[str, str]] | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        _parse(document, templates)
    return caught.value


def test_the_shipped_routing_carries_the_reactions_of_design_section_3() -> None:
    table = _parse(shipped_document())
    first = {event_type: table.rules_for(event_type)[0] for event_type in table.event_types}
    assert set(first["request.overdue"].to) == {"handler", "disclosure_contact", "office"}
    assert first["request.due_soon"].to[0] == "handler"
    assert first["request.replied"].to == ("applicant",)
    assert set(first["request.replied"].channels) == {"email", "sms"}
    for event_type in ("scoring.grade_failed", "accountability.rectification_ordered"):
        assert set(first[event_type].to) == {"disclosure_contact", "unit_leaders"}
    assert first["accountability.rectification_overdue"].to == ("unit_leaders",)
    assert set(first["accountability.decision_issued"].to) == {"persons", "unit"}
    assert "unit" in first["appraisal.unit_unsatisfied"].to
    assert first["notification.failed"] == Rule(("office",), ("inbox",), "notification.failed")
    assert table.digest is not None and table.digest.to == ("disclosure_contact",)


def test_every_routed_event_type_but_notification_failed_can_be_subscribed_to() -> None:
    table = _parse(shipped_document())
    assert table.subscribable() == table.event_types - {"notification.failed"}


def test_an_unknown_event_type_is_refused_naming_it() -> None:
    document = shipped_document()
    document["routes"]["request.overdeu"] = document["routes"]["request.overdue"]
    error = _refused(document)
    assert error.code == "routing_unknown_event_type"
    assert error.extensions["place"] == "routes.request.overdeu"


def test_an_unknown_recipient_kind_is_refused_naming_its_place() -> None:
    document = shipped_document()
    document["routes"]["request.overdue"][0]["to"][1] = "contact"
    error = _refused(document)
    assert error.code == "routing_unknown_recipient"
    assert error.extensions["place"] == "routes.request.overdue[0].to[1]"


def test_an_unknown_channel_is_refused_naming_its_place() -> None:
    document = shipped_document()
    document["routes"]["request.overdue"][0]["channels"].append("wechat")
    error = _refused(document)
    assert error.code == "routing_unknown_channel"
    assert error.extensions["place"] == "routes.request.overdue[0].channels[3]"


def test_webhooks_are_not_routed_by_recipients_but_by_endpoint_subscriptions() -> None:
    document = shipped_document()
    document["routes"]["request.overdue"][0]["channels"] = ["webhook"]
    assert _refused(document).code == "routing_channel_not_routable"


def test_a_missing_template_is_a_startup_error_naming_template_and_channel() -> None:
    document = shipped_document()
    templates = templates_of(document) - {("request.overdue", "sms")}
    error = _refused(document, templates)
    assert error.code == "routing_template_missing"
    assert error.extensions["place"] == "routes.request.overdue[0].template"
    assert error.detail is not None and "request.overdue（sms）" in error.detail


def test_a_rule_without_template_is_refused() -> None:
    document = shipped_document()
    templates = templates_of(document)
    del document["routes"]["request.due_soon"][0]["template"]
    assert _refused(document, templates).code == "routing_template_missing"


def test_a_recipient_on_no_channel_it_can_be_reached_on_is_refused() -> None:
    document = shipped_document()
    document["routes"]["request.replied"][0]["channels"] = ["inbox"]  # the applicant has no inbox
    error = _refused(document)
    assert error.code == "routing_recipient_unreachable"
    assert error.extensions["place"] == "routes.request.replied[0].to"


@pytest.mark.parametrize(
    ("mutate", "place"),
    [
        (lambda d: d.update(routes=["request.overdue"]), "routes"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(extra=1), "(root)"),
        (lambda d: d["routes"]["request.overdue"][0].update(to=[]), "routes.request.overdue[0].to"),
        (lambda d: d["routes"]["request.overdue"][0].update(to=["office", "office"]), "routes.request.overdue[0].to"),
        (lambda d: d["routes"]["request.overdue"][0].update(cc=["office"]), "routes.request.overdue[0]"),
        (lambda d: d["routes"].update({"request.overdue": "office"}), "routes.request.overdue"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_place(mutate: object, place: str) -> None:
    document = shipped_document()
    templates = templates_of(document)
    mutate(document)  # type: ignore[operator]
    error = _refused(document, templates)
    assert (error.code, error.extensions["place"]) == ("routing_malformed", place)


def test_a_deployment_override_replaces_an_event_types_rules_and_keeps_the_others() -> None:
    defaults = shipped_document()
    override = {"routes": {"request.due_soon": [{"to": ["handler"], "channels": ["inbox"], "template": "mine"}]}}
    merged = merge_routing(defaults, override)
    table = _parse(merged, templates_of(defaults) | {("mine", "inbox")})
    assert table.rules_for("request.due_soon") == (Rule(("handler",), ("inbox",), "mine"),)
    assert table.rules_for("request.overdue") == _parse(defaults).rules_for("request.overdue")
    assert defaults == shipped_document()  # the defaults are not changed in place


def test_an_empty_override_list_silences_an_event_type_and_null_digest_switches_the_digest_off() -> None:
    merged = merge_routing(shipped_document(), {"routes": {"request.registered": []}, "digest": None})
    table = _parse(merged, templates_of(shipped_document()))
    assert "request.registered" not in table.event_types
    assert table.digest is None


def test_an_override_with_unknown_keys_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        merge_routing(shipped_document(), {"rotues": {}})
    assert caught.value.code == "routing_malformed"
