"""The notifier service's tests run on its own migrations."""

from __future__ import annotations

from services.notifier.app import SPEC
from tests.support import MigratedDatabase, database_fixture, migrate

# A database migrated by the notifier's revisions, empty, on each backend in turn.
database_url = database_fixture(MigratedDatabase("notifier", lambda url: migrate(SPEC, url)))
