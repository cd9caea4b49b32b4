"""What the person told the assistant, as typed values the remedy engine can reason on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Iterable, Optional, Tuple

CAUSE_INTENT_PREFIX = "refusal_"
MULTI_INTENT_SEPARATOR = "+"


class RefusalCause(str, Enum):
    """The causes of refusal; each value is its NLU intent without the `refusal_` prefix."""

    MISSING_DOCUMENTS = "missing_documents"
    MISREPRESENTATION = "misrepresentation"
    LOW_SCORE = "low_score"
    WORK_EXPERIENCE = "work_experience"
    PNP_CRITERIA = "pnp_criteria"
    CRIMINAL_INADMISSIBILITY = "criminal_inadmissibility"
    MEDICAL_INADMISSIBILITY = "medical_inadmissibility"
    OFFICER_ERROR = "officer_error"
    UNKNOWN_REASON = "unknown_reason"

    @property
    def intent(self) -> str:
        return CAUSE_INTENT_PREFIX + self.value


def causes_from_intent(intent_name: Optional[str]) -> Tuple[RefusalCause, ...]:
    """The causes an intent names: one, several joined with '+', or none for other intents."""
    if not intent_name:
        return ()
    causes = []
    for part in intent_name.split(MULTI_INTENT_SEPARATOR):
        if not part.startswith(CAUSE_INTENT_PREFIX):
            return ()
        try:
            causes.append(RefusalCause(part[len(CAUSE_INTENT_PREFIX) :]))
        except ValueError:
            return ()
    return normalize_causes(causes)


def normalize_causes(causes: Iterable[RefusalCause]) -> Tuple[RefusalCause, ...]:
    """Deduplicated, in declaration order, and without 'unknown' when a real cause is known."""
    unique = set(causes)
    if len(unique) > 1:
        unique.discard(RefusalCause.UNKNOWN_REASON)
    return tuple(cause for cause in RefusalCause if cause in unique)


def intent_for_causes(causes: Iterable[RefusalCause]) -> str:
    return MULTI_INTENT_SEPARATOR.join(cause.intent for cause in normalize_causes(causes))


class Program(str, Enum):
    FSW = "fsw"
    FST = "fst"
    CEC = "cec"
    PNP = "pnp"
    # Not Express Entry: a Quebec selection (CSQ) first, then permanent residence from IRCC.
    QUEBEC = "quebec"
    UNKNOWN = "unknown"


class Authority(str, Enum):
    """Who decided: IRCC (permanent residence), Quebec's ministry (MIFI: the Quebec selection), or a
    province (the provincial nomination). Each has its own remedies; only IRCC's go to the Federal Court."""

    IRCC = "ircc"
    MIFI = "mifi"
    PROVINCE = "province"
    UNKNOWN = "unknown"


class DecisionLocation(str, Enum):
    """Where the matter arose, i.e. the deciding office, which sets the Federal Court limit."""

    IN_CANADA = "in_canada"
    OUTSIDE_CANADA = "outside_canada"
    UNKNOWN = "unknown"


class FairnessLetter(str, Enum):
    """Whether a procedural-fairness letter is still waiting for the person's answer."""

    OPEN = "open"
    NOT_OPEN = "not_open"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Case:
    causes: Tuple[RefusalCause, ...]
    program: Program = Program.UNKNOWN
    authority: Authority = Authority.UNKNOWN
    location: DecisionLocation = DecisionLocation.UNKNOWN
    decision_date: Optional[date] = None
    fairness_letter: FairnessLetter = FairnessLetter.UNKNOWN

    def has(self, cause: RefusalCause) -> bool:
        return cause in self.causes
