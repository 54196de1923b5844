"""The scoring service's API and bus tests run on its own migrations."""

from __future__ import annotations

from services.scoring.app import SPEC
from tests.support import MigratedDatabase, database_fixture, migrate

# A database migrated by the scoring service's revisions, empty, on each backend in turn.
database_url = database_fixture(MigratedDatabase("scoring", lambda url: migrate(SPEC, url)))
