"""``python -m services.scoring``: this service alone, as ``gongkai serve-one scoring``."""

from services.cli import serve_one

serve_one("scoring")
