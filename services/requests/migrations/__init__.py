"""Alembic revisions of the requests service (env and template: ``shared/alembic``)."""
