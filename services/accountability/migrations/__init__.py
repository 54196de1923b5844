"""Alembic revisions of the accountability service (env and template: ``shared/alembic``)."""
