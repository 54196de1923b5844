"""Helpers of the front-end tests: the embedded app without its lifespan (enough for CORS, the
OpenAPI and the labels), and Chinese checks."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from services.embedded import create_app
from shared.settings import Settings
from tests.support import make_settings

CJK = re.compile(r"[\u4e00-\u9fff]")
ORIGIN = "http://localhost:5173"


def embedded(tmp_path: Path, **overrides: Any) -> tuple[FastAPI, Settings]:
    settings = make_settings(data_dir=tmp_path, **overrides)
    return create_app(settings), settings


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client without the lifespan: routes that need no database (CORS, OpenAPI, labels, /me)."""
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongkai.test") as client:
        yield client


def chinese(text: object) -> bool:
    return isinstance(text, str) and bool(CJK.search(text))


def is_problem(r: httpx.Response, status: int | None = None) -> dict[str, Any]:
    assert 400 <= r.status_code < 500 if status is None else r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body = r.json()
    assert chinese(body["title"]), body
    return body


def prod_settings() -> Settings:
    """Production settings with private secrets (the published dev ones are refused in prod)."""
    key = base64.b64encode(os.urandom(32)).decode()
    return make_settings(env="prod", jwt_secret="p" * 48, field_encryption_keys=f"k1:{key}")
