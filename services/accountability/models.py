"""SQLAlchemy tables of the accountability service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries, and the replica of the
unit directory and the calendar the requests service publishes (``shared.reference``)."""

from shared.migrations import foundation_tables
from shared.reference import reference_tables

foundation = foundation_tables()
metadata = foundation.metadata
reference = reference_tables(metadata)
