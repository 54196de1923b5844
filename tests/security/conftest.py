"""The security tests run on the requests service's migrations, in databases of their own."""

from __future__ import annotations

from services.requests.app import SPEC
from tests.support import MigratedDatabase, database_fixture, migrate

database_url = database_fixture(MigratedDatabase("security", lambda url: migrate(SPEC, url)))
