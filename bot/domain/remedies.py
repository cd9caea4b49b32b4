"""The remedy engine: for a refusal and its situation, the options in the order to consider them.

Order (source article, domain-facts.md): inadmissibility first, then learning the reasons, then
réexamen, then contrôle judiciaire with its deadline, then a new profile or application.
Every option carries the primary source it rests on and the day that source was last reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Iterable, List, Optional, Tuple

from bot.domain.case import Authority, Case, DecisionLocation, FairnessLetter, Program, RefusalCause
from bot.domain.deadlines import Deadline, DeadlineStatus, judicial_review_deadline

# When each text was last checked against its source: the first review, and the texts revised on
# 3 December 2026 (issue 15: filing and serving, self-filing, criminality, misrepresentation,
# health, fairness letters, reconsideration, CRS tips, officer decision notes).
FIRST_REVIEW = date(2026, 11, 29)
SECOND_REVIEW = date(2026, 12, 3)

IRPA = "https://laws-lois.justice.gc.ca/fra/lois/i-2.5/"
IRPR = "https://laws-lois.justice.gc.ca/fra/reglements/DORS-2002-227/"
FEDERAL_COURT = "https://www.fct-cf.gc.ca/fr/pages/immigration-et-refugies"
IRCC = "https://www.canada.ca/fr/immigration-refugies-citoyennete.html"
# IRCC's page on officer decision notes (English: the French address was not confirmed from here).
OFFICER_NOTES = (
    "https://www.canada.ca/en/immigration-refugees-citizenship/corporate/transparency/officer-decision-notes.html"
)
CRS = "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/entree-express/admissibilite/criteres-systeme-classement-global.html"
CICC = "https://college-ic.ca/"
QUEBEC = "https://www.quebec.ca/immigration"
PROVINCIAL_NOMINEES = (
    "https://www.canada.ca/fr/immigration-refugies-citoyennete/services/immigrer-canada/candidats-provinces.html"
)


class Remedy(str, Enum):
    FAIRNESS_LETTER_RESPONSE = "fairness_letter_response"
    CRIMINAL_REHABILITATION = "criminal_rehabilitation"
    MEDICAL_EXCESSIVE_DEMAND = "medical_excessive_demand"
    MISREPRESENTATION_BAR = "misrepresentation_bar"
    QUEBEC_REMEDIES = "quebec_remedies"
    PROVINCIAL_REVIEW = "provincial_review"
    GCMS_NOTES = "gcms_notes"
    RECONSIDERATION = "reconsideration"
    RECONSIDERATION_NOT_USEFUL = "reconsideration_not_useful"
    JUDICIAL_REVIEW = "judicial_review"
    NEW_APPLICATION = "new_application"
    TEMPORARY_STATUS = "temporary_status"


class Professional(str, Enum):
    LAWYER = "lawyer"
    CRIC = "cric"
    QUEBEC_PROFESSIONAL = "quebec_professional"


class HandoffReason(str, Enum):
    """Why the consultation is offered, most pressing first."""

    FAIRNESS_LETTER_OPEN = "fairness_letter_open"
    DEADLINE_URGENT = "deadline_urgent"
    DEADLINE_EXPIRED = "deadline_expired"
    INADMISSIBILITY = "inadmissibility"
    QUEBEC_DECISION = "quebec_decision"
    PROVINCIAL_DECISION = "provincial_decision"
    GENERAL = "general"


@dataclass(frozen=True)
class Source:
    """The primary text a remedy rests on; its French citation is part of the response in domain.yml."""

    url: str
    reviewed_on: date


@dataclass(frozen=True)
class RemedyOption:
    remedy: Remedy
    causes: Tuple[RefusalCause, ...]
    professional: Professional
    source: Source

    @property
    def reviewed_on(self) -> date:
        return self.source.reviewed_on


@dataclass(frozen=True)
class RemedyPlan:
    case: Case
    options: Tuple[RemedyOption, ...]
    deadline: Optional[Deadline]
    urgent: bool
    handoff_reason: HandoffReason

    @property
    def remedies(self) -> Tuple[Remedy, ...]:
        return tuple(option.remedy for option in self.options)


SOURCES = {
    Remedy.FAIRNESS_LETTER_RESPONSE: Source(IRPA, SECOND_REVIEW),
    Remedy.CRIMINAL_REHABILITATION: Source(IRPA, SECOND_REVIEW),
    Remedy.MEDICAL_EXCESSIVE_DEMAND: Source(IRPA, SECOND_REVIEW),
    Remedy.MISREPRESENTATION_BAR: Source(IRPA, SECOND_REVIEW),
    Remedy.QUEBEC_REMEDIES: Source(QUEBEC, SECOND_REVIEW),
    Remedy.PROVINCIAL_REVIEW: Source(PROVINCIAL_NOMINEES, SECOND_REVIEW),
    Remedy.GCMS_NOTES: Source(OFFICER_NOTES, SECOND_REVIEW),
    Remedy.RECONSIDERATION: Source(IRCC, SECOND_REVIEW),
    Remedy.RECONSIDERATION_NOT_USEFUL: Source(IRCC, FIRST_REVIEW),
    Remedy.JUDICIAL_REVIEW: Source(FEDERAL_COURT, SECOND_REVIEW),
    Remedy.NEW_APPLICATION: Source(CRS, SECOND_REVIEW),
    Remedy.TEMPORARY_STATUS: Source(IRPR, SECOND_REVIEW),
}

# A réexamen helps when the file held something the officer missed or misread (source article).
RECONSIDERATION_HELPS = (
    RefusalCause.MISSING_DOCUMENTS,
    RefusalCause.WORK_EXPERIENCE,
    RefusalCause.OFFICER_ERROR,
    RefusalCause.UNKNOWN_REASON,
)
# ...and does not when the score was simply too low.
RECONSIDERATION_DOES_NOT_HELP = (RefusalCause.LOW_SCORE, RefusalCause.PNP_CRITERIA)
NEEDS_THE_REASONS = (RefusalCause.UNKNOWN_REASON, RefusalCause.OFFICER_ERROR)
INADMISSIBILITIES = (
    (RefusalCause.CRIMINAL_INADMISSIBILITY, Remedy.CRIMINAL_REHABILITATION),
    (RefusalCause.MEDICAL_INADMISSIBILITY, Remedy.MEDICAL_EXCESSIVE_DEMAND),
    (RefusalCause.MISREPRESENTATION, Remedy.MISREPRESENTATION_BAR),
)


def _option(remedy: Remedy, causes: Iterable[RefusalCause], professional: Professional) -> RemedyOption:
    return RemedyOption(remedy, tuple(causes), professional, SOURCES[remedy])


def _inadmissibility_options(case: Case) -> List[RemedyOption]:
    return [_option(remedy, (cause,), Professional.CRIC) for cause, remedy in INADMISSIBILITIES if case.has(cause)]


def _handoff_reason(case: Case, deadline: Optional[Deadline]) -> HandoffReason:
    if case.fairness_letter is FairnessLetter.OPEN:
        return HandoffReason.FAIRNESS_LETTER_OPEN
    if deadline is not None and deadline.status is DeadlineStatus.URGENT:
        return HandoffReason.DEADLINE_URGENT
    if deadline is not None and deadline.status is DeadlineStatus.EXPIRED:
        return HandoffReason.DEADLINE_EXPIRED
    if any(case.has(cause) for cause, _ in INADMISSIBILITIES):
        return HandoffReason.INADMISSIBILITY
    return HandoffReason.GENERAL


def recommend(case: Case, today: date) -> RemedyPlan:
    """The ordered options for this case. Raises DecisionDateInFuture for a date after today."""
    if case.authority is Authority.MIFI:
        # Quebec's own remedies, not the Federal Court [check]: hand to a Quebec professional.
        options = [_option(Remedy.QUEBEC_REMEDIES, case.causes, Professional.QUEBEC_PROFESSIONAL)]
        return RemedyPlan(case, tuple(options), None, False, HandoffReason.QUEBEC_DECISION)

    if case.authority is Authority.PROVINCE:
        # A nomination refused or withdrawn by the province: the province's own review, then its
        # superior court; never the Federal Court nor its 15/60 days. A refusal of residence by IRCC
        # after a nomination is IRCC's (the Federal Court), and is asked apart.
        options = [_option(Remedy.PROVINCIAL_REVIEW, case.causes, Professional.CRIC)]
        return RemedyPlan(case, tuple(options), None, False, HandoffReason.PROVINCIAL_DECISION)

    if case.fairness_letter is FairnessLetter.OPEN:
        # No decision yet: the answer to the letter is what matters, and it is urgent.
        options = [_option(Remedy.FAIRNESS_LETTER_RESPONSE, case.causes, Professional.CRIC)]
        options += _inadmissibility_options(case)
        return RemedyPlan(case, tuple(options), None, True, HandoffReason.FAIRNESS_LETTER_OPEN)

    deadline = judicial_review_deadline(case.location, case.decision_date, today)
    options = _inadmissibility_options(case)

    needs_reasons = [cause for cause in case.causes if cause in NEEDS_THE_REASONS]
    if needs_reasons:
        options.append(_option(Remedy.GCMS_NOTES, needs_reasons, Professional.CRIC))

    helps = [cause for cause in case.causes if cause in RECONSIDERATION_HELPS]
    does_not_help = [cause for cause in case.causes if cause in RECONSIDERATION_DOES_NOT_HELP]
    if helps:
        options.append(_option(Remedy.RECONSIDERATION, helps, Professional.CRIC))
    elif does_not_help:
        options.append(_option(Remedy.RECONSIDERATION_NOT_USEFUL, does_not_help, Professional.CRIC))

    options.append(_option(Remedy.JUDICIAL_REVIEW, case.causes, Professional.LAWYER))

    # A misrepresentation finding bars any new application for five years (IRPA 40(3)); a person
    # selected by Quebec comes back through Quebec, not through an Express Entry profile.
    if not case.has(RefusalCause.MISREPRESENTATION) and case.program is not Program.QUEBEC:
        options.append(_option(Remedy.NEW_APPLICATION, case.causes, Professional.CRIC))

    # Someone who may be in Canada keeps or loses their temporary status on its own clock, not the
    # refusal's: one line on maintained status and restoration (IRPR s. 182 and 183(5)), and the firm.
    # Only an office abroad for a program open from abroad leaves it out.
    if case.location is not DecisionLocation.OUTSIDE_CANADA or case.program is Program.CEC:
        options.append(_option(Remedy.TEMPORARY_STATUS, case.causes, Professional.CRIC))

    # An expired limit is urgent too: each day weakens a request for an extension (IRPA s. 72(2)(c)).
    # So is an unknown date: the limit may end today.
    urgent = deadline.status in (DeadlineStatus.URGENT, DeadlineStatus.EXPIRED, DeadlineStatus.DATE_UNKNOWN)
    return RemedyPlan(case, tuple(options), deadline, urgent, _handoff_reason(case, deadline))
