"""notifier: the delivery log (notifications), inbox reads, subscriptions, webhook endpoints with
their circuit breakers, the origins of 12345 / provincial applications, and the daily digest's
ledger and days (issue 15).

Revision ID: notifier_0003
Revises: notifier_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "notifier_0003"
down_revision = "notifier_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("composed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_digest_days")),
    )
    op.create_table(
        "digest_items",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("tracking_no", sa.String(length=64), nullable=False),
        sa.Column("unit_code", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_digest_items")),
    )
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.create_index("ix_digest_items_unit_code", ["unit_code"], unique=False)

    op.create_table(
        "inbox_reads",
        sa.Column("notification_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("notification_id", "user_id", name=op.f("pk_inbox_reads")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True, comment="the event's subject (aggregate id)"),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column(
            "recipient",
            sa.String(length=300),
            nullable=False,
            comment="user:…, unit:…, office, contact:…, applicant:…, webhook:…",
        ),
        sa.Column("recipient_kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "address", sa.String(length=500), nullable=False, comment="inbox id, e-mail address, phone or webhook URL"
        ),
        sa.Column("endpoint_id", sa.String(length=36), nullable=True, comment="webhook: the endpoint (its breaker)"),
        sa.Column("template", sa.String(length=128), nullable=True),
        sa.Column(
            "content",
            sa.JSON(),
            nullable=False,
            comment="rendered: title/body, subject/text/html, text, or the webhook body",
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "lease_until", sa.DateTime(timezone=True), nullable=True, comment="claimed by a dispatcher until then"
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("event_id", "recipient", "channel", name="uq_notifications_dedup"),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_created", ["created_at"], unique=False)
        batch_op.create_index("ix_notifications_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_notifications_inbox", ["channel", "recipient", "created_at"], unique=False)
        batch_op.create_index("ix_notifications_unit", ["unit_code", "created_at"], unique=False)

    op.create_table(
        "request_origins",
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_origins")),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=128), nullable=True),
        sa.Column("unit_code", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_subscriptions_event_type", ["event_type"], unique=False)
        batch_op.create_index("ix_subscriptions_unit_code", ["unit_code"], unique=False)
        batch_op.create_index("ix_subscriptions_user", ["user_id"], unique=False)

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False, comment="encrypted (shared.crypto FieldCipher)"),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False, comment="custom: the event types it subscribed to"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("circuit_state", sa.String(length=16), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trial_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )


def downgrade() -> None:
    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_user")
        batch_op.drop_index("ix_subscriptions_unit_code")
        batch_op.drop_index("ix_subscriptions_event_type")

    op.drop_table("subscriptions")
    op.drop_table("request_origins")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_unit")
        batch_op.drop_index("ix_notifications_inbox")
        batch_op.drop_index("ix_notifications_due")
        batch_op.drop_index("ix_notifications_created")

    op.drop_table("notifications")
    op.drop_table("inbox_reads")
    with op.batch_alter_table("digest_items", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_items_unit_code")

    op.drop_table("digest_items")
    op.drop_table("digest_days")
