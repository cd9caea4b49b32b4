"""The firm's cases, one row per handoff.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, unique=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(32)),
        sa.Column("contact_method", sa.String(16)),
        sa.Column("contact_moments", sa.String(200)),
        sa.Column("consent_version", sa.String(32), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("causes", sa.JSON, nullable=False),
        sa.Column("program", sa.String(16)),
        sa.Column("authority", sa.String(16)),
        sa.Column("decision_location", sa.String(16)),
        sa.Column("decision_date", sa.Date),
        sa.Column("last_day", sa.Date),
        sa.Column("days_left", sa.Integer),
        sa.Column("urgent", sa.Boolean, nullable=False),
        sa.Column("professional", sa.String(32)),
        sa.Column("description", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("handoff_cases")
