"""requests: one application per 12345 work order / provincial id (unique channel + source_ref).

Revision ID: requests_0004
Revises: requests_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "requests_0004"
down_revision = "requests_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_applications_channel_source_ref",
        "applications",
        ["channel", "source_ref"],
        unique=True,
        sqlite_where=sa.text("source_ref IS NOT NULL"),
        postgresql_where=sa.text("source_ref IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_applications_channel_source_ref", table_name="applications")
