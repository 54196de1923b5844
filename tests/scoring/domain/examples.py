"""Where the shipped example scheme (seed 003 transcribed) lies."""

from pathlib import Path

EXAMPLE = Path(__file__).parents[3] / "examples" / "schemes" / "district-2023.yaml"
