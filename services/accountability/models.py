"""SQLAlchemy tables of the accountability service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries, and the replica of the
unit directory and the calendar the requests service publishes (``shared.reference``).

- ``cases``             责任追究案件: state, violations, assessment (severity, factors, approval,
                        recommendation), decision, appeal window
- ``case_persons``      当事人 with their role, responsibility share and statement (陈述申辩) or waiver
- ``case_findings``     facts found, by hand or from an event (the trigger events are the findings'
                        ``event_id``)
- ``case_evidence``     attachments, the files in ``shared.storage``
- ``rectification_orders``  责令整改 with their report, review, overdue stamp and escalations
- ``appeals``           复核、申诉 (seed 004 第二十九条)
"""

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, Integer, String, Table, Text, text

from shared.db import BigIntegerPK
from shared.migrations import foundation_tables
from shared.reference import reference_tables

foundation = foundation_tables()
metadata = foundation.metadata
reference = reference_tables(metadata)

ACTIVE_CASE_STATES_SQL = "state IN ('open', 'investigating', 'hearing')"

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("unit_code", String(64), nullable=False),
    Column("state", String(20), nullable=False),
    Column("title", String(300), nullable=False),
    Column("primary_violation", String(40), nullable=False, comment="the violation the case was opened for"),
    Column("violations", JSON, nullable=False, comment="[violation code]"),
    Column("opened_via", String(10), nullable=False, comment="manual / event"),
    Column("trigger_event_id", String(36), nullable=True, comment="the event that opened it"),
    Column("opened_on", Date, nullable=False),
    Column("opened_by", String(200), nullable=False),
    Column("severity", String(20), nullable=True),
    Column("approval", String(20), nullable=True, comment="who approved the act (seed 004 第二十七条(三))"),
    Column("factors", JSON, nullable=False, comment="[{code, automatic, note}] as assessed"),
    Column("recommendation", JSON, nullable=True, comment="the ladder's recommendation at assessment"),
    Column("assessed_on", Date, nullable=True),
    Column("decision", JSON, nullable=True, comment="facts, basis, sanctions per unit and person, departure"),
    Column("decided_on", Date, nullable=True),
    Column("notified_on", Date, nullable=True, comment="the day the decision was served (appeal window start)"),
    Column("appeal_last_day", Date, nullable=True),
    Column("revoked", Boolean, nullable=False, comment="decision revoked on appeal: no longer counts (第九条(四))"),
    Column("closed_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_cases_unit_state", "unit_code", "state"),
    Index("ix_cases_decided_on", "decided_on"),
    Index("ix_cases_opened_on", "opened_on"),
    # One active case per unit and violation it was opened for, even when two replicas race on
    # two events of one unit: the loser's insert fails, its event is retried and appends instead.
    Index(
        "uq_cases_active_unit_violation",
        "unit_code",
        "primary_violation",
        unique=True,
        sqlite_where=text(ACTIVE_CASE_STATES_SQL),
        postgresql_where=text(ACTIVE_CASE_STATES_SQL),
    ),
)

case_persons = Table(
    "case_persons",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("person_id", String(200), primary_key=True, comment="the person's account (JWT sub)"),
    Column("name", String(200), nullable=False),
    Column(
        "role", String(30), nullable=False, comment="handler / leader_in_charge / principal_leader / collective_member"
    ),
    Column("title", String(200), nullable=True),
    Column("statement_kind", String(10), nullable=True, comment="statement / waiver (陈述申辩 / 放弃)"),
    Column("statement_text", Text, nullable=True),
    Column("statement_on", Date, nullable=True),
    Column("statement_by", String(200), nullable=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_persons_person_id", "person_id"),
)

case_findings = Table(
    "case_findings",
    metadata,
    Column("seq", BigIntegerPK, primary_key=True, autoincrement=True),
    Column("case_id", String(36), nullable=False),
    Column("violation", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("source", String(100), nullable=False, comment="the article the finding falls under"),
    Column("ref", String(200), nullable=True, comment="what it is about: request:…, workorder:…, scheme:…"),
    Column("event_id", String(36), nullable=True, comment="the trigger event, NULL for a finding by hand"),
    Column("event_type", String(64), nullable=True),
    Column("found_on", Date, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_findings_case_id", "case_id"),
    Index("uq_case_findings_event_id", "event_id", unique=True),
)

case_evidence = Table(
    "case_evidence",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("description", String(500), nullable=True),
    Column("storage_key", String(300), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_case_evidence_case_id", "case_id"),
)

rectification_orders = Table(
    "rectification_orders",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=True, comment="NULL for an order without a case"),
    Column("unit_code", String(64), nullable=False),
    Column(
        "basis",
        String(30),
        nullable=False,
        comment="appraisal_failed / appraisal_shortfall / public_appraisal / case_decision",
    ),
    Column("source", String(100), nullable=False),
    Column("problems", JSON, nullable=False, comment="[text]"),
    Column("trigger_event_id", String(36), nullable=True),
    Column("state", String(20), nullable=False, comment="open / submitted / accepted"),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("due_on_provisional", Boolean, nullable=False),
    Column("report_text", Text, nullable=True),
    Column("report_submitted_on", Date, nullable=True),
    Column("review_note", Text, nullable=True),
    Column("reviewed_on", Date, nullable=True),
    Column("returned_count", Integer, nullable=False),
    Column("overdue_count", Integer, nullable=False),
    Column("overdue_due_on", Date, nullable=True, comment="the due day rectification_overdue was emitted for"),
    Column("escalations", JSON, nullable=False, comment="[{overdue_count, sanction, leaders, …}]"),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_rectification_orders_unit_state", "unit_code", "state"),
    Index("ix_rectification_orders_case_id", "case_id"),
    Index(
        "ix_rectification_orders_open_due",
        "due_on",
        sqlite_where=text("state = 'open'"),
        postgresql_where=text("state = 'open'"),
    ),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("appellant", String(200), nullable=False, comment="person id or the unit code"),
    Column("reason", Text, nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("decision_due_on", Date, nullable=False),
    Column("reminder_on", Date, nullable=False),
    Column("reminded", Boolean, nullable=False),
    Column("result", String(10), nullable=True, comment="upheld / changed / revoked"),
    Column("result_reason", Text, nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_appeals_case_id", "case_id"),
    Index(
        "ix_appeals_pending_reminder",
        "reminder_on",
        sqlite_where=text("result IS NULL"),
        postgresql_where=text("result IS NULL"),
    ),
)
