"""requests: disclosure rules, round two (issue 11) — consultation lapse and Art. 32 objections,
Art. 35 reasons and deferral, repeat-application flag, unconfirmed receipt, 保密审查 opinion due,
report-up of refusals; clock facts that end by themselves.

Revision ID: requests_0005
Revises: requests_0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "requests_0005"
down_revision: str | None = "requests_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application_clock_facts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "until",
                sa.Date(),
                nullable=True,
                comment="pause_started: the day it ends by itself; deferred: the due date",
            )
        )
        batch_op.add_column(
            sa.Column(
                "detail",
                sa.String(length=30),
                nullable=True,
                comment="pause_started: party kind; pause_ended: ended/lapsed",
            )
        )

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "description_digest",
                sa.String(length=64),
                nullable=True,
                comment="domain.duplicates.description_digest",
            )
        )
        batch_op.add_column(
            sa.Column(
                "possible_duplicate_of", sa.String(length=36), nullable=True, comment="the earlier answered application"
            )
        )
        batch_op.add_column(sa.Column("unconfirmed_notified_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("public_interest", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("review_requested_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("review_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("review_opined_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("report_up_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reported_up_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "report_up_stamp", sa.String(length=30), nullable=True, comment="<due_on>:reminded|overdue last emitted"
            )
        )
        batch_op.create_index(
            "ix_applications_report_up_due",
            ["report_up_due_on"],
            unique=False,
            sqlite_where=sa.text("reported_up_on IS NULL"),
            postgresql_where=sa.text("reported_up_on IS NULL"),
        )
        batch_op.create_index(
            "ix_applications_unconfirmed",
            ["submitted_at"],
            unique=False,
            sqlite_where=sa.text("state = 'submitted'"),
            postgresql_where=sa.text("state = 'submitted'"),
        )
        batch_op.create_index("ix_applications_unit_digest", ["unit_code", "description_digest"], unique=False)

    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "closed_by", sa.String(length=10), nullable=True, comment="answer / lapse (条例 第三十二条、第三十四条)"
            )
        )
        batch_op.add_column(
            sa.Column(
                "deemed_consent",
                sa.Boolean(),
                nullable=True,
                comment="an agency silent for 15 working days (条例 第三十四条)",
            )
        )
        batch_op.add_column(
            sa.Column(
                "objects",
                sa.Boolean(),
                nullable=True,
                comment="the third party does not agree to disclosure (条例 第三十二条)",
            )
        )
        batch_op.create_index(
            "ix_consultations_open_due",
            ["due_on"],
            unique=False,
            sqlite_where=sa.text("closed_on IS NULL"),
            postgresql_where=sa.text("closed_on IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_consultations_open_due",
            sqlite_where=sa.text("closed_on IS NULL"),
            postgresql_where=sa.text("closed_on IS NULL"),
        )
        batch_op.drop_column("objects")
        batch_op.drop_column("deemed_consent")
        batch_op.drop_column("closed_by")

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_unit_digest")
        batch_op.drop_index(
            "ix_applications_unconfirmed",
            sqlite_where=sa.text("state = 'submitted'"),
            postgresql_where=sa.text("state = 'submitted'"),
        )
        batch_op.drop_index(
            "ix_applications_report_up_due",
            sqlite_where=sa.text("reported_up_on IS NULL"),
            postgresql_where=sa.text("reported_up_on IS NULL"),
        )
        batch_op.drop_column("report_up_stamp")
        batch_op.drop_column("reported_up_on")
        batch_op.drop_column("report_up_due_on")
        batch_op.drop_column("review_opined_on")
        batch_op.drop_column("review_due_on")
        batch_op.drop_column("review_requested_on")
        batch_op.drop_column("public_interest")
        batch_op.drop_column("reasons")
        batch_op.drop_column("unconfirmed_notified_on")
        batch_op.drop_column("possible_duplicate_of")
        batch_op.drop_column("description_digest")

    with op.batch_alter_table("application_clock_facts", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("until")
