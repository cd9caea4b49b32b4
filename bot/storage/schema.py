"""The tables this project owns. Their schema is created and changed by migrations/ (Alembic);
a test keeps these definitions and the migrated database equal.

Rasa's own `events` table (its SQL tracker store) is not here: Rasa creates and owns it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

handoff_cases = Table(
    "handoff_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("conversation_id", String(255), nullable=False, unique=True),
    Column("channel", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("contact_method", String(16)),
    Column("contact_moments", String(200)),
    Column("consent_version", String(32), nullable=False),
    Column("consent_at", DateTime(timezone=True), nullable=False),
    Column("causes", JSON, nullable=False),
    Column("program", String(16)),
    Column("authority", String(16)),
    Column("decision_location", String(16)),
    Column("decision_date", Date),
    Column("last_day", Date),
    Column("days_left", Integer),
    Column("urgent", Boolean, nullable=False),
    Column("professional", String(32)),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("contacted_at", DateTime(timezone=True)),
)

# The outbox: one row per notice to the firm, written in the same transaction as its case.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("handoff_cases.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("last_error", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
