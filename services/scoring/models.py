"""SQLAlchemy tables of the scoring service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries, and the replica of the
unit directory and the calendar the requests service publishes (``shared.reference``).

Points, ratios and measures are exact decimals stored as text (``"0.5"``, ``"97.25"``): SQLite has no
decimal type, and nothing is summed in SQL — the domain scores in ``Decimal``."""

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text, text

from shared.db import BigIntegerPK
from shared.migrations import foundation_tables
from shared.reference import reference_tables

foundation = foundation_tables()
metadata = foundation.metadata
reference = reference_tables(metadata)

# -- 考核方案: the scheme document as data ---------------------------------------------------------

schemes = Table(
    "schemes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("state", String(20), nullable=False, comment="draft / published / closed"),
    Column("document", JSON, nullable=False, comment="the scheme document (scheme_format.dump_scheme)"),
    Column("version", Integer, nullable=False, comment="ETag; +1 on every change"),
    Column("created_by", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Index("ix_schemes_state_period", "state", "period_start", "period_end"),
    Index("ix_schemes_year", "year"),
)

# -- 考核评分表: one per (scheme, unit), made at publication --------------------------------------

sheets = Table(
    "sheets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("scheme_id", String(36), ForeignKey("schemes.id", name="fk_sheets_scheme"), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("category", String(64), nullable=False),
    Column("state", String(20), nullable=False, comment="open / self_assessed / reviewed / finalized"),
    Column("version", Integer, nullable=False),
    # Set when the category is finalized (the figures of record):
    Column("total", String(32), nullable=True),
    Column("graded_on", String(32), nullable=True, comment="the score the bands applied to (pro rata if partial)"),
    Column("grade", String(20), nullable=True),
    Column("rank", Integer, nullable=True),
    Column("vetoes", JSON, nullable=True, comment="veto codes applied at finalization"),
    Column("shortfalls", JSON, nullable=True, comment="[{code, name, points, max_points, threshold}]"),
    Column("self_assessed_at", DateTime(timezone=True), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("finalized_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("uq_sheets_scheme_unit", "scheme_id", "unit_code", unique=True),
    Index("ix_sheets_scheme_category", "scheme_id", "category"),
    Index("ix_sheets_unit", "unit_code"),
)

# Findings on a sheet's leaf indicators: the assessors', the unit's self-check (自查) and the
# system's (from events). Never deleted: a wrong one is voided with a reason (an appeal upheld).
sheet_entries = Table(
    "sheet_entries",
    metadata,
    Column("seq", BigIntegerPK, primary_key=True, autoincrement=True, comment="recording order"),
    Column("id", String(36), nullable=False, unique=True),
    Column("sheet_id", String(36), ForeignKey("sheets.id", name="fk_sheet_entries_sheet"), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("source", String(20), nullable=False, comment="assessor / self / system"),
    Column("occurrences", Integer, nullable=True),
    Column("participant", String(64), nullable=True),
    Column("ratio", String(32), nullable=True),
    Column("measure", String(32), nullable=True),
    Column("points", String(32), nullable=True),
    Column("method", String(30), nullable=True),
    Column("on", Date, nullable=False, comment="the day of the finding / check"),
    Column("evidence", Text, nullable=True),
    Column("attachments", JSON, nullable=False, comment="[{id, filename, content_type, size, storage_key}]"),
    Column("author_sub", String(200), nullable=False, comment="a person, or 'system'"),
    Column("author_name", String(200), nullable=False),
    Column("event_id", String(36), nullable=True, comment="system entries: the event applied"),
    Column("event_type", String(64), nullable=True),
    Column("ref_kind", String(20), nullable=True, comment="request / workorder / campaign"),
    Column("ref_id", String(100), nullable=True),
    Column("voided_at", DateTime(timezone=True), nullable=True),
    Column("voided_by", String(200), nullable=True),
    Column("void_reason", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_sheet_entries_sheet", "sheet_id", "seq"),
    # An event lands on a sheet at most once, even if the inbox has forgotten it.
    Index(
        "uq_sheet_entries_sheet_event",
        "sheet_id",
        "event_id",
        unique=True,
        sqlite_where=text("event_id IS NOT NULL"),
        postgresql_where=text("event_id IS NOT NULL"),
    ),
)

# 一票否决 found on a sheet (by the assessors), voidable with a reason like an entry.
sheet_vetoes = Table(
    "sheet_vetoes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sheet_id", String(36), ForeignKey("sheets.id", name="fk_sheet_vetoes_sheet"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("evidence", Text, nullable=False),
    Column("author_sub", String(200), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("voided_at", DateTime(timezone=True), nullable=True),
    Column("voided_by", String(200), nullable=True),
    Column("void_reason", Text, nullable=True),
    Index("ix_sheet_vetoes_sheet", "sheet_id"),
)

# Every event bound to an indicator, once (by event id), with what became of it: pending until its
# scheme is published, applied (the entry), late (the sheet was finalized: shown beside it), unbound.
findings = Table(
    "findings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("auto_source", String(30), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("on", Date, nullable=False, comment="the event's date: picks the scheme whose period holds it"),
    Column("ref_kind", String(20), nullable=False),
    Column("ref_id", String(100), nullable=False),
    Column("score", String(32), nullable=True, comment="public_appraisal: the appraisal score (0–100)"),
    Column("evidence", Text, nullable=False),
    Column("data", JSON, nullable=False, comment="the event's data as received"),
    Column("status", String(20), nullable=False, comment="pending / applied / late / unbound"),
    Column("scheme_id", String(36), nullable=True),
    Column("sheet_id", String(36), nullable=True),
    Column("entry_id", String(36), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=True),
    Index("ix_findings_pending", "status", "on"),
    Index("ix_findings_sheet", "sheet_id"),
)
