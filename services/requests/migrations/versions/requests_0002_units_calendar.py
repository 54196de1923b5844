"""requests: the units directory (单位名录) and the loaded calendar years (节假日安排).

Revision ID: requests_0002
Revises: requests_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "requests_0002"
down_revision = "requests_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("unit_code", sa.String(64), nullable=False, comment="单位代码, ^[A-Za-z0-9_.-]{1,64}$"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "kind", sa.String(32), nullable=False, comment="government/department/township/public_enterprise/other"
        ),
        sa.Column("parent_code", sa.String(64), nullable=True, comment="上级单位; NULL for a top unit"),
        sa.Column("region", sa.String(12), nullable=False, comment="行政区划代码 (6, 9 or 12 digits)"),
        sa.Column("contacts", sa.JSON(), nullable=False, comment="[{name, title, phone, email}]"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="ETag; +1 on every change"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("unit_code", name="pk_units"),
        sa.ForeignKeyConstraint(["parent_code"], ["units.unit_code"], name="fk_units_parent_code_units"),
    )
    op.create_index("ix_units_parent_code", "units", ["parent_code"])
    op.create_index("ix_units_region", "units", ["region"])
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holidays", sa.JSON(), nullable=False, comment="[{day, name}]"),
        sa.Column("makeup_workdays", sa.JSON(), nullable=False, comment="[{day, name}] 调休上班"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_calendar_years"),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
    op.drop_index("ix_units_region", table_name="units")
    op.drop_index("ix_units_parent_code", table_name="units")
    op.drop_table("units")
