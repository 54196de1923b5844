"""Alembic environment shared by every service; each keeps its own revisions in
``services/<name>/migrations/versions`` (see :mod:`shared.migrations`)."""

from alembic import context

from shared.migrations import run_alembic_env

run_alembic_env(context)
