"""SQLAlchemy tables of the notifier service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries."""

from shared.migrations import foundation_tables

foundation = foundation_tables()
metadata = foundation.metadata
