"""The foundation tables alone (outbox, inbox, audit log, idempotency keys), by the very step every
service's first migration runs: the database the shared mechanism and the bus are tested on.

Revision ID: foundation_0001
Revises:
"""

from alembic import op

from shared.migrations import create_foundation_tables_v1, drop_foundation_tables_v1

revision = "foundation_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_foundation_tables_v1(op)


def downgrade() -> None:
    drop_foundation_tables_v1(op)
