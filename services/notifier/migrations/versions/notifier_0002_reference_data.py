"""notifier: the replica of the unit directory and the working-day calendar (ref_units,
ref_calendar_years), filled by unit.upserted and calendar.updated (shared.reference).

Revision ID: notifier_0002
Revises: notifier_0001
"""

from alembic import op

from shared.reference import create_reference_tables_v1, drop_reference_tables_v1

revision = "notifier_0002"
down_revision = "notifier_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_reference_tables_v1(op)


def downgrade() -> None:
    drop_reference_tables_v1(op)
