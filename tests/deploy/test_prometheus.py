"""deploy/prometheus/rules.yaml (issue 16 item 6): a rule file Prometheus loads — every expression
parses as PromQL, every alert has a duration, a severity and a summary and description in Chinese
and English — and every metric it names is one the services export (read from the /metrics of the
embedded app, all five services in it) or one RabbitMQ's rabbitmq_prometheus plugin documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from services.embedded import create_app
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "rules.yaml"
OPERATIONS = ROOT / "docs" / "operations.md"
SEVERITIES = {"critical", "warning", "info"}
# RabbitMQ's per-object queue metrics (rabbitmq_prometheus, `prometheus.return_per_object_metrics`):
# the broker's, not ours, so named here from the plugin's documentation.
BROKER_METRICS = {
    "rabbitmq_queue_messages",
    "rabbitmq_queue_messages_ready",
    "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_consumers",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORDS = re.compile(r"[A-Za-z]{3,}(?: [A-Za-z]{2,}){3,}")
_SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count", "_created")}


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert set(document) == {"groups"}
    found = [rule for group in document["groups"] for rule in group["rules"]]
    assert found and all(group["name"].startswith("gongkai.") for group in document["groups"])
    return found


@pytest.fixture(scope="module")
async def exported(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The sample names the services' /metrics can carry (labelled series appear once used; their
    families are listed from the start)."""
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("metrics"), env="test"))
    # No lifespan: /metrics needs nothing started.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gongkai") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    names: set[str] = set()
    for family in text_string_to_metric_families(response.text):
        names |= {family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",))}
    return names


def metric_names(expr: str) -> set[str]:
    names: set[str] = set()

    def visit(node: promql_parser.Expr) -> bool:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)
        return True

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def test_every_alert_is_complete_and_bilingual(rules: list[dict[str, Any]]) -> None:
    alerts = [rule["alert"] for rule in rules]
    assert len(set(alerts)) == len(alerts) and all(re.fullmatch(r"Gongkai[A-Z][A-Za-z]+", a) for a in alerts)
    for rule in rules:
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        # Prometheus's duration syntax ("0m": fire at once; parse_duration refuses zero).
        assert rule["for"] == "0m" or promql_parser.parse_duration(rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, rule["alert"]
        for field in ("summary", "description"):
            text = rule["annotations"][field]
            assert _CJK.search(text) and re.search(r"[A-Za-z]{4,}", text), f"{rule['alert']} {field}: 中文 + English"
        assert _LATIN_WORDS.search(rule["annotations"]["description"]), f"{rule['alert']}: an English sentence"
        assert "docs/operations.md" in rule["annotations"]["description"], f"{rule['alert']}: where to read more"


def test_every_expression_parses_and_names_only_exported_metrics(
    rules: list[dict[str, Any]], exported: set[str]
) -> None:
    named = {rule["alert"]: metric_names(rule["expr"]) for rule in rules}
    unknown = {alert: names - exported - BROKER_METRICS for alert, names in named.items()}
    assert {alert: names for alert, names in unknown.items() if names} == {}
    assert all(named.values()), "every alert reads some metric"


def test_the_operations_guide_explains_every_alert(rules: list[dict[str, Any]]) -> None:
    guide = OPERATIONS.read_text(encoding="utf-8")
    assert [rule["alert"] for rule in rules if f"`{rule['alert']}`" not in guide] == []


def test_a_wrong_metric_name_or_expression_is_caught(exported: set[str]) -> None:
    """The checks above have teeth: a misspelt metric is not exported, broken PromQL does not parse."""
    assert "gongkai_outbox_pending" in exported and "gongkai_events_consumed_total" in exported
    assert metric_names("max(gongkai_outbox_pendign) > 1") - exported == {"gongkai_outbox_pendign"}
    with pytest.raises(ValueError):
        promql_parser.parse("sum by (service) (rate(gongkai_outbox_published_total[5m]) >")
