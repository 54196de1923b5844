"""Alembic revisions of the appraisal service (env and template: ``shared/alembic``)."""
