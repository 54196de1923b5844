"""``python -m services.notifier``: this service alone, as ``gongkai serve-one notifier``."""

from services.cli import serve_one

serve_one("notifier")
