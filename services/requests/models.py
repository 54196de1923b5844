"""SQLAlchemy tables of the requests service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries."""

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text, text

from shared.db import BigIntegerPK
from shared.migrations import foundation_tables
from shared.signing import signature_nonces_table

foundation = foundation_tables()
metadata = foundation.metadata


# -- units directory (单位名录) -------------------------------------------------------------------

units = Table(
    "units",
    metadata,
    Column("unit_code", String(64), primary_key=True, comment="单位代码, ^[A-Za-z0-9_.-]{1,64}$"),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False, comment="government/department/township/public_enterprise/other"),
    Column(
        "parent_code",
        String(64),
        ForeignKey("units.unit_code", name="fk_units_parent_code_units"),
        nullable=True,
        comment="上级单位; NULL for a top unit",
    ),
    Column("region", String(12), nullable=False, comment="行政区划代码 (6, 9 or 12 digits)"),
    Column("contacts", JSON, nullable=False, comment="[{name, title, phone, email}]"),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False, comment="ETag; +1 on every change"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_units_parent_code", "parent_code"),
    Index("ix_units_region", "region"),
)

# -- working-day calendar (节假日安排) loaded by an administrator ------------------------------------

calendar_years = Table(
    "calendar_years",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("holidays", JSON, nullable=False, comment="[{day, name}]"),
    Column("makeup_workdays", JSON, nullable=False, comment="[{day, name}] 调休上班"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("version", Integer, nullable=False),
)

# -- disclosure applications (依申请公开) ------------------------------------------------------------

applications = Table(
    "applications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tracking_no", String(32), nullable=False, unique=True, comment="受理编号, shown to the applicant"),
    Column("query_code_index", String(64), nullable=False, comment="keyed hash of the secret query code"),
    Column("unit_code", String(64), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("applicant_type", String(30), nullable=False),
    Column("applicant_name", String(200), nullable=False),
    Column("applicant_id_type", String(30), nullable=True),
    Column("applicant_id_number", Text, nullable=True, comment="encrypted (shared.crypto), never stored in clear"),
    Column("applicant_id_index", String(64), nullable=True, comment="blind index of the identity number"),
    Column("applicant_phone", String(40), nullable=True),
    Column("applicant_email", String(200), nullable=True),
    Column("applicant_address", String(500), nullable=True),
    Column("applicant_organization", String(200), nullable=True),
    Column("applicant_sub", String(200), nullable=True, comment="JWT subject of an applicant with an account"),
    Column("description", Text, nullable=False),
    Column("purpose", Text, nullable=True),
    Column("delivery_format", String(30), nullable=False),
    Column("delivery_method", String(30), nullable=False),
    Column("source_ref", String(100), nullable=True, comment="12345 work-order no. or provincial id"),
    Column("state", String(30), nullable=False),
    Column("rule_set", String(40), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("received_on", Date, nullable=True),
    Column("due_on", Date, nullable=True),
    Column("due_on_provisional", Boolean, nullable=False),
    Column("clock_running", Boolean, nullable=False),
    Column("handler_id", String(200), nullable=True),
    Column("handler_name", String(200), nullable=True),
    Column("outcome", String(40), nullable=True),
    Column("legal_basis", Text, nullable=True),
    Column("reply_text", Text, nullable=True),
    Column("replied_on", Date, nullable=True),
    Column("on_time", Boolean, nullable=True),
    Column("concluded_on", Date, nullable=True, comment="reply or withdrawal date: the report year"),
    Column("archived_on", Date, nullable=True),
    Column("correction_lapse_on", Date, nullable=True, comment="补正期限: after it, other.correction_lapsed"),
    Column("fee", JSON, nullable=True, comment="{method, pages, amount, notified_on, paid_on, due_on}"),
    Column("overdue_due_on", Date, nullable=True, comment="the due date request.overdue was emitted for"),
    Column("due_soon_stamp", String(20), nullable=True, comment="<due_on>:<mark> last reminder emitted"),
    # 条例 第三十六条(六): a possible repeat of an application the unit already answered (a flag, never a conclusion).
    Column("description_digest", String(64), nullable=True, comment="domain.duplicates.description_digest"),
    Column("possible_duplicate_of", String(36), nullable=True, comment="the earlier answered application"),
    # 条例 第三十一条: request.unconfirmed emitted (the sweep's stamp).
    Column("unconfirmed_notified_on", Date, nullable=True),
    # 条例 第三十五条: {requested_on, due_on, note, answered_on, answer, lapsed_on}.
    Column("reasons", JSON, nullable=True),
    # 条例 第三十二条: disclosed over a third party's objection: {reason, third_party_notified_on}.
    Column("public_interest", JSON, nullable=True),
    # Seed 001 保密审查制度 第十条: the opinion within 15 working days of the request for review.
    Column("review_requested_on", Date, nullable=True),
    Column("review_due_on", Date, nullable=True),
    Column("review_opined_on", Date, nullable=True),
    # Seed 001 政府信息主动公开工作制度 七: a withheld.* decision reported up within 5 working days.
    Column("report_up_due_on", Date, nullable=True),
    Column("reported_up_on", Date, nullable=True),
    Column("report_up_stamp", String(30), nullable=True, comment="<due_on>:reminded|overdue last emitted"),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_applications_unit_state", "unit_code", "state"),
    Index(
        "ix_applications_open_due",
        "due_on",
        sqlite_where=text("concluded_on IS NULL"),
        postgresql_where=text("concluded_on IS NULL"),
    ),
    Index("ix_applications_concluded_on", "concluded_on"),
    Index("ix_applications_source_ref", "source_ref"),
    # One application per 12345 work order / provincial id, even when two identical calls race.
    Index(
        "uq_applications_channel_source_ref",
        "channel",
        "source_ref",
        unique=True,
        sqlite_where=text("source_ref IS NOT NULL"),
        postgresql_where=text("source_ref IS NOT NULL"),
    ),
    Index("ix_applications_applicant_sub", "applicant_sub"),
    Index("ix_applications_unit_digest", "unit_code", "description_digest"),
    Index(
        "ix_applications_unconfirmed",
        "submitted_at",
        sqlite_where=text("state = 'submitted'"),
        postgresql_where=text("state = 'submitted'"),
    ),
    Index(
        "ix_applications_report_up_due",
        "report_up_due_on",
        sqlite_where=text("reported_up_on IS NULL"),
        postgresql_where=text("reported_up_on IS NULL"),
    ),
)

# The clock's history, replayed by domain.deadlines to compute and explain the due date.
application_clock_facts = Table(
    "application_clock_facts",
    metadata,
    Column("seq", BigIntegerPK, primary_key=True, autoincrement=True),
    Column(
        "application_id", String(36), ForeignKey("applications.id", name="fk_clock_facts_application"), nullable=False
    ),
    Column("kind", String(30), nullable=False),
    Column("on", Date, nullable=False),
    Column("ref", String(64), nullable=True),
    Column("pause_kind", String(20), nullable=True),
    Column("working_days", Integer, nullable=True),
    Column("reason", Text, nullable=True),
    Column("approver", String(200), nullable=True),
    Column("until", Date, nullable=True, comment="pause_started: the day it ends by itself; deferred: the due date"),
    Column("detail", String(30), nullable=True, comment="pause_started: party kind; pause_ended: ended/lapsed"),
    Index("ix_clock_facts_application", "application_id", "seq"),
)

consultations = Table(
    "consultations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "application_id", String(36), ForeignKey("applications.id", name="fk_consultations_application"), nullable=False
    ),
    Column("party", String(200), nullable=False),
    Column("kind", String(20), nullable=False, comment="third_party / agency"),
    Column("started_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("opinion", Text, nullable=True),
    Column("closed_by", String(10), nullable=True, comment="answer / lapse (条例 第三十二条、第三十四条)"),
    Column("deemed_consent", Boolean, nullable=True, comment="an agency silent for 15 working days (条例 第三十四条)"),
    Column("objects", Boolean, nullable=True, comment="the third party does not agree to disclosure (条例 第三十二条)"),
    Index("ix_consultations_application", "application_id"),
    Index(
        "ix_consultations_open_due",
        "due_on",
        sqlite_where=text("closed_on IS NULL"),
        postgresql_where=text("closed_on IS NULL"),
    ),
)

# 保密审查 opinions on the draft reply.
confidentiality_reviews = Table(
    "confidentiality_reviews",
    metadata,
    Column("seq", BigIntegerPK, primary_key=True, autoincrement=True),
    Column(
        "application_id", String(36), ForeignKey("applications.id", name="fk_conf_reviews_application"), nullable=False
    ),
    Column("opinion", String(20), nullable=False, comment="disclose / withhold / refer"),
    Column("reviewer", String(200), nullable=False),
    Column("reason", Text, nullable=True),
    Column("on", Date, nullable=False),
    Index("ix_conf_reviews_application", "application_id", "seq"),
)

# Administrative review (行政复议) and litigation (行政诉讼) about an application.
review_records = Table(
    "review_records",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "application_id",
        String(36),
        ForeignKey("applications.id", name="fk_review_records_application"),
        nullable=False,
    ),
    Column("unit_code", String(64), nullable=False),
    Column("kind", String(30), nullable=False, comment="administrative_review / litigation"),
    Column("after_review", Boolean, nullable=False, comment="litigation filed after an administrative review"),
    Column("filed_on", Date, nullable=False),
    Column("result", String(20), nullable=False, comment="upheld / corrected / other / pending"),
    Column("decided_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_review_records_application", "application_id"),
    Index("ix_review_records_unit", "unit_code"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "application_id", String(36), ForeignKey("applications.id", name="fk_attachments_application"), nullable=False
    ),
    Column("kind", String(30), nullable=False, comment="reply_letter / released_file / other"),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage_key", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Index("ix_attachments_application", "application_id"),
)

# 12345 work orders (DESIGN §9), each with its own due time.
hotline_workorders = Table(
    "hotline_workorders",
    metadata,
    Column("workorder_no", String(64), primary_key=True),
    Column("category", String(30), nullable=False, comment="disclosure_request / complaint / consultation / other"),
    Column("unit_code", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Column("answer", Text, nullable=True),
    Column("unanswered_emitted", Boolean, nullable=False),
    Column("application_id", String(36), nullable=True),
    Column("payload", JSON, nullable=False),
    Index(
        "ix_hotline_workorders_open_due",
        "due_at",
        sqlite_where=text("answered_at IS NULL"),
        postgresql_where=text("answered_at IS NULL"),
    ),
)

signature_nonces = signature_nonces_table(metadata)
