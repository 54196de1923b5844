"""The fuzz stage, part one: schemathesis over the embedded app's OpenAPI — 0 responses of 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.python import asgi

from tests.fuzz.support import EXAMPLES, UNIT, fuzzed_app

# Operations whose every call changes what the others see (the clock) or sends nothing anywhere.
SKIPPED = {("PUT", "/api/v1/_dev/clock"), ("POST", "/api/v1/_dev/clock/advance")}


@pytest.fixture
def lifespans() -> Iterator[None]:
    yield
    asgi.shutdown_lifespans()  # schemathesis keeps an ASGI app's lifespan running until told


@pytest.mark.usefixtures("lifespans")
def test_schemathesis_finds_no_5xx(service_urls: dict[str, str]) -> None:
    fuzzed = fuzzed_app(service_urls)
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app)
    unit = {"name": "某单位", "kind": "department", "region": "110101", "contacts": []}
    office = fuzzed.tokens["office"]
    setup = schema["/api/v1/units/{unit_code}"]["PUT"].Case(path_parameters={"unit_code": UNIT}, body=unit)
    assert setup.call(headers=office).status_code in (200, 201)

    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1

        @given(case=operation.as_strategy(), role=st.sampled_from(sorted(fuzzed.tokens)))
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case, role: str) -> None:
            response = case.call(headers=fuzzed.tokens[role])
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} as {role}: {response.status_code} {response.text[:200]}"
                )

        fuzz()
    assert operations >= 40, "the embedded app's operations were found"
    assert not failures, "\n".join(failures)
