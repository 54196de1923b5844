from __future__ import annotations

import pytest

from services.scoring.domain.scheme import Scheme
from services.scoring.domain.scheme_format import load_scheme_text
from tests.scoring.domain.examples import EXAMPLE


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def district_2023(example_text: str) -> Scheme:
    return load_scheme_text(example_text)
