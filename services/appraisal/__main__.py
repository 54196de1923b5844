"""``python -m services.appraisal``: this service alone, as ``gongkai serve-one appraisal``."""

from services.cli import serve_one

serve_one("appraisal")
