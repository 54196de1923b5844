"""The system test: the five services as separate processes (issue 16)."""
