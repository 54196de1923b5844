"""Alembic revisions of the notifier service (env and template: ``shared/alembic``)."""
