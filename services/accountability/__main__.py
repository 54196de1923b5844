"""``python -m services.accountability``: this service alone, as ``gongkai serve-one accountability``."""

from services.cli import serve_one

serve_one("accountability")
