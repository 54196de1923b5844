"""The fuzz stage, part two: hostile values in every query parameter and cursor of every GET
operation of every fuzzed service — 0 responses of 5xx."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.foundation import serving
from tests.fuzz.support import EXAMPLES, UNIT, fuzzed_app

EDGE_ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))]

nul_text = st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=4), st.text(max_size=4))
lone_surrogates = st.sampled_from(["\ud800", "a\udfffb", "\udbff\ud800", "\udc00"])
edge_datetimes = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.one_of(
        st.datetimes(min_value=datetime(9999, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 2)),
    ),
    st.sampled_from(EDGE_ZONES),
)
edge_dates = st.sampled_from(["9999-12-31", "0001-01-01", "10000-01-01", "2026-02-30"])
huge_integers = st.one_of(
    st.integers(min_value=2**63 - 1, max_value=10**40), st.integers(min_value=-(10**40), max_value=-(2**63))
).map(str)
HOSTILE = st.one_of(nul_text, lone_surrogates, edge_datetimes, edge_dates, huge_integers)


def hostile_cursor(key: list[Any]) -> str:
    """A cursor as ours are made (base64url of a JSON list), of values ours never hold."""
    raw = json.dumps(key, ensure_ascii=True).encode()  # ASCII: lone surrogates travel as \\udxxx
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


cursor_items = st.one_of(
    nul_text,
    lone_surrogates,
    edge_datetimes,
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
CURSORS = st.one_of(
    st.lists(cursor_items, min_size=1, max_size=3).map(hostile_cursor),
    st.binary(max_size=24).map(lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")),
)


def drawn(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` values of ``strategy``, the same ones every run (derandomized)."""
    values: list[Any] = []

    @given(strategy)
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(value: Any) -> None:
        values.append(value)

    collect()
    return values


def encoded(value: str) -> str:
    # Lone surrogates cannot be UTF-8: send their WTF-8 bytes, as a hostile client would.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def concrete_path(path: str) -> str:
    return path.replace("{unit_code}", UNIT).replace("{year}", "2026").replace("{", "").replace("}", "")


async def test_hostile_query_values_and_cursors_give_no_5xx(service_urls: dict[str, str]) -> None:
    fuzzed = fuzzed_app(service_urls)
    values = drawn(HOSTILE, 4 * EXAMPLES)
    cursors = drawn(CURSORS, 2 * EXAMPLES) + [
        hostile_cursor(["\ud800", "GD1"]),
        hostile_cursor(["9999-12-31T23:00:00-14:00", "GD1"]),
        hostile_cursor(["2026-09-25T00:00:00+00:00", 10**30]),
        hostile_cursor(["a\x00b", "\x00"]),
    ]
    roles = sorted(fuzzed.tokens)
    failures: list[str] = []
    sent = 0
    async with serving(fuzzed.app, raise_app_exceptions=False) as client:
        document = (await client.get("/openapi.json")).json()
        for path, item in document["paths"].items():
            operation = item.get("get")
            if not operation or not path.startswith("/api/"):
                continue
            queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for name in queries:
                for i, value in enumerate(cursors if name == "cursor" else values):
                    url = f"{concrete_path(path)}?{name}={encoded(value)}"
                    response = await client.get(url, headers=fuzzed.tokens[roles[(sent + i) % len(roles)]])
                    sent += 1
                    if response.status_code >= 500:
                        failures.append(f"GET {url}: {response.status_code} {response.text[:200]}")
    assert sent > 50, "the GET operations' query parameters were found"
    assert not failures, "\n".join(failures)
