"""Alembic revisions of the scoring service (env and template: ``shared/alembic``)."""
