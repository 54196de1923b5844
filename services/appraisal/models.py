"""SQLAlchemy tables of the appraisal service, in its own database, beside the foundation tables
(outbox, inbox, audit log, idempotency keys) that every service carries, and the replica of the
unit directory and the calendar the requests service publishes (``shared.reference``)."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.db import BigIntegerPK
from shared.migrations import foundation_tables
from shared.reference import reference_tables

foundation = foundation_tables()
metadata = foundation.metadata
reference = reference_tables(metadata)

# -- campaigns (评议方案, 社会评议办法 第六条(一)) ------------------------------------------------------

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False, comment="评议年度"),
    Column("name", String(200), nullable=False),
    Column("state", String(16), nullable=False, comment="draft/open/closed/published"),
    Column("target_units", JSON, nullable=False, comment="[unit_code]"),
    Column("methods", JSON, nullable=False, comment='[{method, weight: "0.4"}]'),
    Column("questionnaire", JSON, nullable=False, comment="[{code, kind, text, required, weight, choices …}]"),
    Column(
        "conversion", JSON, nullable=False, comment='{satisfied: "100", basically_satisfied: "60", unsatisfied: "0"}'
    ),
    Column("bands", JSON, nullable=False, comment='{satisfied_from: "80", basically_satisfied_from: "60"}'),
    Column("min_responses", Integer, nullable=False),
    Column("opens_at", DateTime(timezone=True), nullable=False),
    Column("closes_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, comment="ETag; +1 on every change"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Index("ix_campaigns_year", "year"),
    Index("ix_campaigns_state_closes_at", "state", "closes_at"),
)

# -- panels (代表评议 人大代表/政协委员/媒体/专家, 社会监督员) ----------------------------------------------

panel_members = Table(
    "panel_members",
    metadata,
    Column("campaign_id", String(36), ForeignKey("campaigns.id", name="fk_panel_members_campaign"), primary_key=True),
    Column("member_sub", String(200), primary_key=True, comment="the member's identity (JWT sub)"),
    Column("method", String(16), nullable=False, comment="representative/supervisor"),
    Column("name", String(100), nullable=False),
    Column("category", String(32), nullable=False, comment="npc_deputy/cppcc_member/media/expert/supervisor/other"),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

# -- responses (答卷): one per respondent per unit per campaign ----------------------------------

responses = Table(
    "responses",
    metadata,
    Column("id", BigIntegerPK, primary_key=True, autoincrement=True),
    Column("campaign_id", String(36), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("respondent_hash", String(64), nullable=False, comment="HMAC(secret, RespondentKey.message())"),
    Column("choices", JSON, nullable=False, comment="{question: [choice codes]}"),
    Column("texts", JSON, nullable=False, comment="{question: text as written}"),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("campaign_id", "respondent_hash", name="uq_responses_respondent"),
    Index("ix_responses_campaign_unit", "campaign_id", "unit_code", "method"),
)

# One row per rating answer: what closing aggregates (GROUP BY unit, method, question, rating).
response_ratings = Table(
    "response_ratings",
    metadata,
    Column("response_id", BigIntegerPK, primary_key=True, autoincrement=False),
    Column("question", String(32), primary_key=True),
    Column("campaign_id", String(36), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("rating", SmallInteger, nullable=False, comment="0 满意, 1 基本满意, 2 不满意"),
    Index("ix_response_ratings_campaign", "campaign_id"),
)

# The answers to problem-collecting questions (第九条), apart, so closing reads only these.
response_remarks = Table(
    "response_remarks",
    metadata,
    Column("response_id", BigIntegerPK, primary_key=True, autoincrement=False),
    Column("question", String(32), primary_key=True),
    Column("campaign_id", String(36), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("method", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_response_remarks_campaign", "campaign_id"),
)

# -- third-party scores (第三方评估, 第七条(三)) ---------------------------------------------------------

third_party_scores = Table(
    "third_party_scores",
    metadata,
    Column("campaign_id", String(36), ForeignKey("campaigns.id", name="fk_third_party_campaign"), primary_key=True),
    Column("unit_code", String(64), primary_key=True),
    Column("score", Numeric(5, 2), nullable=False),
    Column("remarks", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(200), nullable=False),
)

# -- results (评议结果) and problems (评议发现的问题, 第九条) ---------------------------------------------

campaign_results = Table(
    "campaign_results",
    metadata,
    Column("campaign_id", String(36), ForeignKey("campaigns.id", name="fk_results_campaign"), primary_key=True),
    Column("unit_code", String(64), primary_key=True),
    Column("position", Integer, nullable=False, comment="the unit's place in the campaign's list"),
    Column("status", String(16), nullable=False, comment="rated/insufficient"),
    Column("responses", Integer, nullable=False),
    Column("score", Numeric(5, 2), nullable=True),
    Column("rating", String(24), nullable=True),
    Column("effective_weights", JSON, nullable=False),
    Column("methods", JSON, nullable=False, comment="[{method, responses, counts, satisfaction_rate, score}]"),
    Column("problems_edited", Boolean, nullable=False, comment="the office has edited the problems"),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

problems = Table(
    "problems",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("campaign_id", String(36), ForeignKey("campaigns.id", name="fk_problems_campaign"), nullable=False),
    Column("unit_code", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False, comment="as the office edited it"),
    Column("mentions", Integer, nullable=False, comment="0 for a problem the office added"),
    Column("methods", JSON, nullable=False),
    Column("rectification", Text, nullable=True, comment="the unit's rectification report (第九条)"),
    Column("rectified_at", DateTime(timezone=True), nullable=True),
    Column("rectified_by", String(200), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_problems_campaign_unit", "campaign_id", "unit_code", "position"),
)

# -- the rate limit shared by every replica: a fixed-window counter per client per minute --------

rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("client_hash", String(64), primary_key=True, comment="HMAC of the client address"),
    Column("minute", Integer, primary_key=True, comment="minutes since the epoch (UTC)"),
    Column("hits", Integer, nullable=False),
    Index("ix_rate_limit_windows_minute", "minute"),
)
