"""``python -m services.requests``: this service alone, as ``gongkai serve-one requests``."""

from services.cli import serve_one

serve_one("requests")
