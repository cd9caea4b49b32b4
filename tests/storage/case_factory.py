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


def someone_else(number: int, **overrides) -> NewCase:
    """Another person's case: their own conversation, e-mail and phone."""
    values = dict(email=f"personne{number}@example.org", phone=f"+1514555{number:04d}")
    values.update(overrides)
    return a_case(f"conv-{number}", **values)
