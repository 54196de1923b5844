"""The appraisal service's tests run on its own migrations."""

from __future__ import annotations

from services.appraisal.app import SPEC
from tests.support import MigratedDatabase, database_fixture, migrate

# A database migrated by the appraisal service's revisions, empty, on each backend in turn.
database_url = database_fixture(MigratedDatabase("appraisal", lambda url: migrate(SPEC, url)))
