"""The front-end tests run on the requests service's migrations (their own database)."""

from __future__ import annotations

from services.requests.app import SPEC
from tests.support import MigratedDatabase, database_fixture, migrate

# A database migrated by the requests service's revisions, empty, on each backend in turn.
database_url = database_fixture(MigratedDatabase("frontend", lambda url: migrate(SPEC, url)))
