"""The shipped routing document, parsed as the service will parse it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROUTING_FILE = Path(__file__).resolve().parents[3] / "services" / "notifier" / "routing.yaml"


def shipped_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(ROUTING_FILE.read_text(encoding="utf-8"))
    return document


def templates_of(document: dict[str, Any]) -> set[tuple[str, str]]:
    """Every (template, channel) the document names: as if each template file existed."""
    rules = [rule for rules in document["routes"].values() for rule in rules or []]
    if document.get("digest"):
        rules.append(document["digest"])
    return {(rule["template"], channel) for rule in rules for channel in rule["channels"]}
