"""Fixtures for the whole suite; what they are built from is in ``tests/support.py``."""

from __future__ import annotations

from tests.support import MigratedDatabase, database_fixture, migrate_foundation

# A migrated database with only the foundation tables, empty, on each backend in turn. A service's
# tests override it with that service's own migrations (tests/requests/conftest.py).
database_url = database_fixture(MigratedDatabase("foundation", migrate_foundation))
