from datetime import date

import pytest

from bot.domain.case import Authority, Case, DecisionLocation, FairnessLetter, Program, RefusalCause
from bot.domain.deadlines import DeadlineStatus, DecisionDateInFuture
from bot.domain.remedies import FIRST_REVIEW, HandoffReason, Professional, Remedy, recommend

pytestmark = pytest.mark.unit

C = RefusalCause
R = Remedy
TODAY = date(2026, 11, 29)


def plan_for(*causes, **situation):
    situation.setdefault("authority", Authority.IRCC)
    situation.setdefault("location", DecisionLocation.IN_CANADA)
    situation.setdefault("decision_date", date(2026, 11, 25))
    return recommend(Case(causes=tuple(causes), **situation), TODAY)


@pytest.mark.parametrize(
    "cause, remedies",
    [
        (C.MISSING_DOCUMENTS, (R.RECONSIDERATION, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.MISREPRESENTATION, (R.MISREPRESENTATION_BAR, R.JUDICIAL_REVIEW)),
        (C.LOW_SCORE, (R.RECONSIDERATION_NOT_USEFUL, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.WORK_EXPERIENCE, (R.RECONSIDERATION, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.PNP_CRITERIA, (R.RECONSIDERATION_NOT_USEFUL, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.CRIMINAL_INADMISSIBILITY, (R.CRIMINAL_REHABILITATION, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.MEDICAL_INADMISSIBILITY, (R.MEDICAL_EXCESSIVE_DEMAND, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.OFFICER_ERROR, (R.GCMS_NOTES, R.RECONSIDERATION, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
        (C.UNKNOWN_REASON, (R.GCMS_NOTES, R.RECONSIDERATION, R.JUDICIAL_REVIEW, R.NEW_APPLICATION)),
    ],
)
def test_each_cause_gets_its_remedies_in_order(cause, remedies):
    # Decided abroad: the person's temporary status in Canada is not in question.
    assert plan_for(cause, location=DecisionLocation.OUTSIDE_CANADA, program=Program.FSW).remedies == remedies


@pytest.mark.parametrize(
    "location, program, mentioned",
    [
        (DecisionLocation.IN_CANADA, Program.FSW, True),
        (DecisionLocation.OUTSIDE_CANADA, Program.CEC, True),
        (DecisionLocation.OUTSIDE_CANADA, Program.FSW, False),
        (DecisionLocation.UNKNOWN, Program.FSW, True),  # "je suis à Toronto" is read as unknown
    ],
)
def test_someone_likely_in_canada_hears_of_maintained_status_and_restoration_last(location, program, mentioned):
    remedies = plan_for(C.LOW_SCORE, location=location, program=program).remedies
    assert (R.TEMPORARY_STATUS in remedies) is mentioned
    if mentioned:
        assert remedies[-1] is R.TEMPORARY_STATUS


def test_inadmissibility_always_comes_first():
    plan = plan_for(C.LOW_SCORE, C.CRIMINAL_INADMISSIBILITY)
    assert plan.remedies[0] is R.CRIMINAL_REHABILITATION
    assert plan.handoff_reason is HandoffReason.INADMISSIBILITY


def test_two_causes_are_both_covered():
    plan = plan_for(C.MISSING_DOCUMENTS, C.MISREPRESENTATION)
    assert plan.remedies == (R.MISREPRESENTATION_BAR, R.RECONSIDERATION, R.JUDICIAL_REVIEW, R.TEMPORARY_STATUS)
    reconsideration = plan.options[1]
    assert reconsideration.causes == (C.MISSING_DOCUMENTS,)


def test_misrepresentation_bars_a_new_application():
    assert R.NEW_APPLICATION not in plan_for(C.MISREPRESENTATION, C.LOW_SCORE).remedies


def test_a_low_score_next_to_a_missed_document_still_gets_a_reconsideration():
    assert plan_for(C.MISSING_DOCUMENTS, C.LOW_SCORE).remedies[0] is R.RECONSIDERATION


def test_judicial_review_goes_to_a_lawyer_and_the_rest_to_the_cric():
    plan = plan_for(C.OFFICER_ERROR)
    professionals = {option.remedy: option.professional for option in plan.options}
    assert professionals[R.JUDICIAL_REVIEW] is Professional.LAWYER
    assert professionals[R.RECONSIDERATION] is Professional.CRIC
    assert professionals[R.NEW_APPLICATION] is Professional.CRIC


def test_urgent_deadline_is_the_first_handoff_reason():
    plan = plan_for(C.LOW_SCORE, C.CRIMINAL_INADMISSIBILITY, decision_date=date(2026, 11, 21))
    assert plan.deadline.status is DeadlineStatus.OPEN  # Sunday 6 December, so Monday 7: 8 days
    plan = plan_for(C.LOW_SCORE, C.CRIMINAL_INADMISSIBILITY, decision_date=date(2026, 11, 18))
    assert plan.deadline.last_day == date(2026, 12, 3)
    assert plan.urgent
    assert plan.handoff_reason is HandoffReason.DEADLINE_URGENT


def test_expired_deadline_keeps_the_judicial_review_option_for_an_extension():
    plan = plan_for(C.OFFICER_ERROR, decision_date=date(2026, 9, 1))
    assert plan.deadline.status is DeadlineStatus.EXPIRED
    assert R.JUDICIAL_REVIEW in plan.remedies
    assert plan.handoff_reason is HandoffReason.DEADLINE_EXPIRED
    assert plan.urgent  # each day weakens a request for an extension


def test_unknown_date_still_gives_the_limit():
    plan = plan_for(C.MISSING_DOCUMENTS, decision_date=None, location=DecisionLocation.OUTSIDE_CANADA)
    assert plan.deadline.status is DeadlineStatus.DATE_UNKNOWN
    assert plan.deadline.limit_days == 60


def test_quebec_decision_goes_to_a_quebec_professional_without_federal_deadline():
    plan = plan_for(C.LOW_SCORE, authority=Authority.MIFI)
    assert plan.remedies == (R.QUEBEC_REMEDIES,)
    assert plan.options[0].professional is Professional.QUEBEC_PROFESSIONAL
    assert plan.deadline is None
    assert plan.handoff_reason is HandoffReason.QUEBEC_DECISION


def test_open_fairness_letter_is_urgent_and_comes_before_anything_else():
    plan = plan_for(C.MISREPRESENTATION, fairness_letter=FairnessLetter.OPEN, decision_date=None)
    assert plan.remedies == (R.FAIRNESS_LETTER_RESPONSE, R.MISREPRESENTATION_BAR)
    assert plan.urgent
    assert plan.deadline is None
    assert plan.handoff_reason is HandoffReason.FAIRNESS_LETTER_OPEN


def test_unknown_authority_is_treated_as_ircc():
    plan = plan_for(C.LOW_SCORE, authority=Authority.UNKNOWN, program=Program.UNKNOWN)
    assert R.JUDICIAL_REVIEW in plan.remedies


def test_future_decision_date_is_refused():
    with pytest.raises(DecisionDateInFuture):
        plan_for(C.LOW_SCORE, decision_date=date(2027, 1, 1))


def test_every_option_carries_a_source_and_a_review_date():
    plan = plan_for(*RefusalCause)
    for option in plan.options:
        assert option.source.url.startswith("https://")
        # A review date is never one still to come on the real calendar (the tests' own is pinned earlier).
        assert FIRST_REVIEW <= option.reviewed_on <= date.today()


def test_a_nomination_refused_by_the_province_goes_to_the_province_never_to_the_federal_court():
    plan = plan_for(C.PNP_CRITERIA, program=Program.PNP, authority=Authority.PROVINCE, decision_date=date(2026, 11, 25))
    assert plan.remedies == (R.PROVINCIAL_REVIEW,)
    assert plan.deadline is None and not plan.urgent
    assert plan.handoff_reason is HandoffReason.PROVINCIAL_DECISION


def test_a_quebec_selected_person_refused_by_ircc_goes_to_the_federal_court():
    plan = plan_for(C.LOW_SCORE, program=Program.QUEBEC, authority=Authority.IRCC)
    assert R.JUDICIAL_REVIEW in plan.remedies and plan.deadline.last_day is not None


def test_a_quebec_selection_refused_by_mifi_gets_quebec_s_remedies_only():
    plan = plan_for(C.LOW_SCORE, program=Program.QUEBEC, authority=Authority.MIFI)
    assert plan.remedies == (R.QUEBEC_REMEDIES,) and plan.deadline is None


def test_a_quebec_selected_person_refused_by_ircc_is_not_sent_to_an_express_entry_profile():
    assert R.NEW_APPLICATION not in plan_for(C.LOW_SCORE, program=Program.QUEBEC, authority=Authority.IRCC).remedies


def test_an_unknown_date_is_urgent_for_the_firm_since_the_limit_may_end_today():
    assert plan_for(C.OFFICER_ERROR, decision_date=None).urgent
