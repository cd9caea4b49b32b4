"""A complete case, as the handoff will store it, for storage and operator tests."""

from datetime import date, datetime, timezone

from bot.domain.consultation import NewCase


def a_case(conversation_id="conv-1", **overrides) -> NewCase:
    values = dict(
        conversation_id=conversation_id,
        channel="rest",
        name="Awa Exemple",
        email="awa@example.org",
        phone="+221770000000",
        consent_version="2026-11-29",
        consent_at=datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc),
        causes=("missing_documents", "misrepresentation"),
        urgent=True,
        program="cec",
        authority="ircc",
        decision_location="in_canada",
        decision_date=date(2026, 11, 25),
        last_day=date(2026, 12, 10),
        days_left=11,
        professional="lawyer",
        description="mon test de langue avait expiré",
    )
    values.update(overrides)
    return NewCase(**values)
