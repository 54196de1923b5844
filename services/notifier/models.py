"""SQLAlchemy tables of the notifier service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries, and the replica of the
unit directory and the calendar the requests service publishes (``shared.reference``).

- ``notifications``       the delivery log: one row per (event id, recipient, channel), its content
                          as rendered, its status and attempts; the dispatcher claims due rows from
                          it like the outbox relay claims events (lease + ``SKIP LOCKED``)
- ``inbox_reads``         who has read which inbox message (a unit's inbox is read by each of its
                          staff for themselves)
- ``subscriptions``       a user's subscription of a unit and/or an event type to their inbox
- ``webhook_endpoints``   outbound endpoints (12345, provincial, custom) with their circuit breaker
- ``request_origins``     applications that came from 12345 or the provincial platform (from
                          ``request.registered``: the only event naming the channel)
- ``digest_items``        the daily digest's ledger: unanswered applications due soon or overdue
- ``digest_days``         the days whose digest was composed (the conditional stamp of the job)
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.migrations import foundation_tables
from shared.reference import reference_tables

foundation = foundation_tables()
metadata = foundation.metadata
reference = reference_tables(metadata)

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    # A consumed event's id, or "digest:<unit>:<day>" for a digest: with recipient and channel
    # the dedup key (DESIGN §9), so a redelivered event never sends twice.
    Column("event_id", String(80), nullable=False),
    Column("event_type", String(128), nullable=False),
    Column("subject", String(200), nullable=True, comment="the event's subject (aggregate id)"),
    Column("unit_code", String(64), nullable=True),
    Column(
        "recipient", String(300), nullable=False, comment="user:…, unit:…, office, contact:…, applicant:…, webhook:…"
    ),
    Column("recipient_kind", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("address", String(500), nullable=False, comment="inbox id, e-mail address, phone or webhook URL"),
    Column("endpoint_id", String(36), nullable=True, comment="webhook: the endpoint (its breaker)"),
    Column("template", String(128), nullable=True),
    Column(
        "content", JSON, nullable=False, comment="rendered: title/body, subject/text/html, text, or the webhook body"
    ),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True, comment="claimed by a dispatcher until then"),
    Column("last_error", Text, nullable=True),
    Column("response_code", Integer, nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("event_id", "recipient", "channel", name="uq_notifications_dedup"),
    # What the dispatcher claims: pending/failed rows, earliest first.
    Index("ix_notifications_due", "status", "next_attempt_at"),
    # The bell: an inbox's messages, newest first.
    Index("ix_notifications_inbox", "channel", "recipient", "created_at"),
    Index("ix_notifications_created", "created_at"),
    Index("ix_notifications_unit", "unit_code", "created_at"),
)

inbox_reads = Table(
    "inbox_reads",
    metadata,
    Column("notification_id", String(36), primary_key=True),
    Column("user_id", String(200), primary_key=True),
    Column("read_at", DateTime(timezone=True), nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(200), nullable=False),
    Column("event_type", String(128), nullable=True),
    Column("unit_code", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_subscriptions_user", "user_id"),
    Index("ix_subscriptions_event_type", "event_type"),
    Index("ix_subscriptions_unit_code", "unit_code"),
)

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("secret", Text, nullable=False, comment="encrypted (shared.crypto FieldCipher)"),
    Column("target", String(32), nullable=False),
    Column("event_types", JSON, nullable=False, comment="custom: the event types it subscribed to"),
    Column("active", Boolean, nullable=False),
    Column("circuit_state", String(16), nullable=False),
    Column("consecutive_failures", Integer, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=True),
    Column("trial_started_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

request_origins = Table(
    "request_origins",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("source_ref", String(200), nullable=True),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

digest_items = Table(
    "digest_items",
    metadata,
    Column("request_id", String(64), primary_key=True),
    Column("tracking_no", String(64), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_digest_items_unit_code", "unit_code"),
)

digest_days = Table(
    "digest_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("composed_at", DateTime(timezone=True), nullable=False),
    Column("units", Integer, nullable=False),
)
