"""OpenAPI that teaches (issue 9 item 5), walked over all five services of the embedded app: every
request body has an example, and so has every main response — what a create answers (201) and what
reading one resource answers (``GET …/{id}``; the workflow actions answer with the same resource).
Each example is valid for its own model, so the limits it shows are the limits enforced."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from services.scoring.domain.scheme_format import load_scheme, load_scheme_text
from services.scoring.schemas.examples import SCHEME_DOCUMENT, SCHEME_DOCUMENT_YAML
from shared.settings import SERVICE_NAMES
from tests.frontend.support import embedded

EXAMPLE_KEYS = ("example", "examples")


def _document(tmp_path: Path) -> dict[str, Any]:
    app, _ = embedded(tmp_path)
    return app.openapi()


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema behind ``$ref`` and behind an optional body's ``anyOf: [X, null]``."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in schema and not any(k in schema for k in EXAMPLE_KEYS):
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            if len(options) != 1:
                return schema
            schema = options[0]
        else:
            return schema


def _self_explained(prop: dict[str, Any]) -> bool:
    """A property Swagger UI fills in by itself: an example, a default, a fixed value, a file."""
    if any(k in prop for k in (*EXAMPLE_KEYS, "default", "enum", "const")):
        return True
    return "contentMediaType" in prop or prop.get("format") == "binary"


def has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    if any(media.get(k) for k in EXAMPLE_KEYS):
        return True
    schema = _resolve(media.get("schema", {}), components)
    if any(k in schema for k in EXAMPLE_KEYS):
        return True
    if schema.get("type") == "array":
        return has_example({"schema": schema.get("items", {})}, components)
    # A model without one: each of its required fields shows its own example, default or file picker.
    properties = schema.get("properties") or {}
    return bool(properties) and all(
        _self_explained(_resolve(properties[name], components)) or _self_explained(properties[name])
        for name in schema.get("required", [])
    )


def _is_main_response(method: str, path: str, status: str) -> bool:
    return status == "201" or (method == "get" and path.endswith("}") and status.startswith("2"))


def test_every_request_body_and_main_response_has_an_example(tmp_path: Path) -> None:
    document = _document(tmp_path)
    components = document["components"]["schemas"]
    missing, bodies, responses = [], 0, 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media_type, media in (operation.get("requestBody") or {}).get("content", {}).items():
                bodies += 1
                if not has_example(media, components):
                    missing.append(f"request body {media_type} of {method.upper()} {path}")
            for status, answer in operation.get("responses", {}).items():
                if not _is_main_response(method, path, status):
                    continue
                for media_type, media in (answer.get("content") or {}).items():
                    if media_type == "application/json" and media.get("schema"):
                        responses += 1
                        if not has_example(media, components):
                            missing.append(f"{status} response of {method.upper()} {path}")
    assert bodies > 60 and responses > 30, (bodies, responses)
    assert not missing, "no example (add one in the service's schemas/examples.py):\n" + "\n".join(missing)


def _models_with_examples() -> dict[str, type[BaseModel]]:
    """Every pydantic model of the services' ``schemas`` packages that carries its own examples."""
    found: dict[str, type[BaseModel]] = {}
    for service in SERVICE_NAMES:
        package = importlib.import_module(f"services.{service}.schemas")
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            for value in vars(importlib.import_module(module.name)).values():
                if not (isinstance(value, type) and issubclass(value, BaseModel)):
                    continue
                extra = value.model_config.get("json_schema_extra")
                if isinstance(extra, dict) and extra.get("examples"):
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_example_is_valid_for_its_model() -> None:
    """Validated by the model itself (the OpenAPI document drops an example's nulls, so its JSON
    Schema cannot judge them), with the limits and rules the API enforces."""
    models = _models_with_examples()
    assert len(models) > 60, sorted(models)
    invalid = []
    for name, model in models.items():
        for example in model.model_config["json_schema_extra"]["examples"]:  # type: ignore[index]
            try:
                model.model_validate(example)
            except ValidationError as exc:
                invalid.append(f"{name}: {exc}")
    assert not invalid, "\n".join(invalid)
    # The scheme document, sent as JSON or YAML (its format is the domain's, not a pydantic model's).
    assert load_scheme(SCHEME_DOCUMENT) == load_scheme_text(SCHEME_DOCUMENT_YAML, "yaml")
