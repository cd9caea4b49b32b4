"""Decision or not: the first step of the triage. In this service, only a refused application for permanent
residence gets remedies and a Federal Court deadline; the other Express Entry situations people describe have
no decision to contest yet. Another kind of application is out of scope: its own refusal may have a short
limit of its own, which the text says without working it out.

Each situation carries what the assistant does with it (no deadline, or the most urgent handoff), the
primary source it rests on and the day that source was checked (docs/legal-rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Optional

from bot.domain.case import CAUSE_INTENT_PREFIX

# The day the sources below were checked.
REVIEWED_ON = date(2026, 12, 3)

IRPR = "https://laws-lois.justice.gc.ca/fra/reglements/DORS-2002-227/"
NOT_INVITED = (
    "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/entree-express/"
    "soumettre-profil/prochaines-etapes-pas-invite.html"
)
APPLY = (
    "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/entree-express/"
    "presenter-demande-residence-permanente.html"
)
PROCESSING = "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/demande/verifier-etat.html"
IRPA = "https://laws-lois.justice.gc.ca/fra/lois/i-2.5/"
IRCC = "https://www.canada.ca/fr/immigration-refugies-citoyennete.html"


class DecisionKind(str, Enum):
    """What the person describes; the values of every kind but REFUSED are the NLU's intent names."""

    REFUSED = "refused"
    NO_INVITATION = "no_invitation"
    PROFILE_EXPIRED = "profile_expired"
    INVITATION_RECEIVED = "invitation_received"
    IN_PROCESS = "in_process"
    RETURNED_INCOMPLETE = "returned_incomplete"
    FAIRNESS_LETTER = "fairness_letter"
    OTHER_APPLICATION = "other_application"


class Urgency(str, Enum):
    NONE = "none"
    # An answer is due before IRCC decides: help to answer is offered first.
    ANSWER_FIRST = "answer_first"


@dataclass(frozen=True)
class DecisionGuidance:
    court_deadline: bool  # whether the assistant works out the Federal Court's 15/60 days
    urgency: Urgency
    in_scope: bool  # whether the firm's Express Entry service covers it
    source: str
    reviewed_on: date = REVIEWED_ON


GUIDANCE = {
    # IRPA s. 72(2)(b): leave to apply for judicial review of a decision, 15 or 60 days.
    DecisionKind.REFUSED: DecisionGuidance(court_deadline=True, urgency=Urgency.NONE, in_scope=True, source=IRPA),
    # No decision is made on a profile in the pool: nothing to contest; raise the score, wait for a round.
    DecisionKind.NO_INVITATION: DecisionGuidance(
        court_deadline=False, urgency=Urgency.NONE, in_scope=True, source=NOT_INVITED
    ),
    # A profile lasts 12 months in the pool; expired or ineligible, a new profile is the way back.
    DecisionKind.PROFILE_EXPIRED: DecisionGuidance(
        court_deadline=False, urgency=Urgency.NONE, in_scope=True, source=NOT_INVITED
    ),
    # 60 days to submit a complete application after an invitation: IRCC's limit, said in the text.
    DecisionKind.INVITATION_RECEIVED: DecisionGuidance(
        court_deadline=False, urgency=Urgency.NONE, in_scope=True, source=APPLY
    ),
    DecisionKind.IN_PROCESS: DecisionGuidance(
        court_deadline=False, urgency=Urgency.NONE, in_scope=True, source=PROCESSING
    ),
    # IRPR s. 10 and 12: an incomplete application is returned, not refused. Whether the return itself could
    # be brought to the Federal Court is not settled here: the text says to ask quickly, never that nothing
    # can be done.
    DecisionKind.RETURNED_INCOMPLETE: DecisionGuidance(
        court_deadline=False, urgency=Urgency.NONE, in_scope=True, source=IRPR
    ),
    # An open fairness letter: the answer, in the time the letter gives, comes before anything else.
    DecisionKind.FAIRNESS_LETTER: DecisionGuidance(
        court_deadline=False, urgency=Urgency.ANSWER_FIRST, in_scope=True, source=IRPA
    ),
    # Study or work permit, visitor visa, sponsorship, asylum, citizenship: not this service.
    DecisionKind.OTHER_APPLICATION: DecisionGuidance(
        court_deadline=False, urgency=Urgency.NONE, in_scope=False, source=IRCC
    ),
}


def decision_kind_from_intent(intent: Optional[str]) -> Optional[DecisionKind]:
    """The situation an intent names: REFUSED for a cause of refusal, None for a dialogue intent."""
    if not intent:
        return None
    if intent.startswith(CAUSE_INTENT_PREFIX):
        return DecisionKind.REFUSED
    try:
        return DecisionKind(intent)
    except ValueError:
        return None


def guidance_for(kind: DecisionKind) -> DecisionGuidance:
    return GUIDANCE[kind]


def not_refused_intents() -> tuple[str, ...]:
    """The NLU intents that describe something other than a refusal."""
    return tuple(kind.value for kind in DecisionKind if kind is not DecisionKind.REFUSED)
