"""The consultation request: what the person agreed to, and the case handed to the firm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Optional, Tuple

from bot.domain.contact import ContactMethod
from bot.domain.remedies import HandoffReason, Professional, RemedyPlan

# The version of the consent text (utter_ask_consultation_consent in domain.yml). Change it with
# the text: each case records the version the person agreed to.
CONSENT_VERSION = "2026-11-29"


@dataclass(frozen=True)
class NewCase:
    """What the handoff stores: the person's contact, their consent and the case summary."""

    conversation_id: str
    channel: str
    name: str
    consent_version: str
    consent_at: datetime
    causes: Tuple[str, ...]
    urgent: bool
    email: Optional[str] = None
    phone: Optional[str] = None
    contact_method: Optional[str] = None
    contact_moments: Optional[str] = None
    program: Optional[str] = None
    authority: Optional[str] = None
    decision_location: Optional[str] = None
    decision_date: Optional[date] = None
    last_day: Optional[date] = None
    days_left: Optional[int] = None
    professional: Optional[str] = None
    description: Optional[str] = None


@dataclass(frozen=True)
class Contact:
    name: str
    email: Optional[str]
    phone: Optional[str]
    method: Optional[ContactMethod]
    moments: Optional[str]

    def __post_init__(self) -> None:
        if not (self.email or self.phone):
            raise ValueError("a contact needs an e-mail or a phone number")

    @property
    def preferred_method(self) -> ContactMethod:
        """The method asked for, or the only one possible."""
        if self.method is not None:
            return self.method
        return ContactMethod.EMAIL if self.email and not self.phone else ContactMethod.PHONE


def recommended_professional(plan: Optional[RemedyPlan]) -> Professional:
    """Who should see the case first: a lawyer when the Federal Court deadline is close."""
    if plan is None:
        return Professional.CRIC
    if plan.handoff_reason is HandoffReason.QUEBEC_DECISION:
        return Professional.QUEBEC_PROFESSIONAL
    if plan.deadline is not None and plan.urgent:
        return Professional.LAWYER
    return Professional.CRIC


def new_case(
    conversation_id: str,
    channel: str,
    contact: Contact,
    plan: Optional[RemedyPlan],
    description: Optional[str],
    consent_at: datetime,
    causes: Iterable[str] = (),
    program: Optional[str] = None,
    authority: Optional[str] = None,
    decision_location: Optional[str] = None,
    decision_date: Optional[date] = None,
) -> NewCase:
    deadline = plan.deadline if plan is not None else None
    return NewCase(
        conversation_id=conversation_id,
        channel=channel,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        contact_method=contact.preferred_method.value,
        contact_moments=contact.moments,
        consent_version=CONSENT_VERSION,
        consent_at=consent_at,
        causes=tuple(causes),
        urgent=bool(plan and plan.urgent),
        program=program,
        authority=authority,
        decision_location=decision_location,
        decision_date=decision_date,
        last_day=deadline.last_day if deadline else None,
        days_left=deadline.days_left if deadline else None,
        professional=recommended_professional(plan).value,
        description=description,
    )
