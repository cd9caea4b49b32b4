import pytest

from bot.domain.case import RefusalCause
from bot.domain.decision_kind import (
    GUIDANCE,
    DecisionKind,
    Urgency,
    decision_kind_from_intent,
    guidance_for,
    not_refused_intents,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("cause", list(RefusalCause))
def test_every_cause_of_refusal_is_a_refusal(cause):
    assert decision_kind_from_intent(cause.intent) is DecisionKind.REFUSED


def test_a_pair_of_causes_is_a_refusal():
    assert decision_kind_from_intent("refusal_low_score+refusal_work_experience") is DecisionKind.REFUSED


@pytest.mark.parametrize("intent", ["affirm", "request_consultation", "inform", "nlu_fallback", "", None])
def test_a_dialogue_intent_names_no_situation(intent):
    assert decision_kind_from_intent(intent) is None


@pytest.mark.parametrize("intent", not_refused_intents())
def test_no_situation_but_a_refusal_has_a_court_deadline(intent):
    kind = decision_kind_from_intent(intent)
    assert kind is not None and kind is not DecisionKind.REFUSED
    assert guidance_for(kind).court_deadline is False


def test_only_a_refusal_can_have_a_court_deadline():
    assert [kind for kind, guidance in GUIDANCE.items() if guidance.court_deadline] == [DecisionKind.REFUSED]


def test_an_open_fairness_letter_is_answered_first():
    assert guidance_for(DecisionKind.FAIRNESS_LETTER).urgency is Urgency.ANSWER_FIRST


def test_another_kind_of_application_is_out_of_scope():
    assert [kind for kind, guidance in GUIDANCE.items() if not guidance.in_scope] == [DecisionKind.OTHER_APPLICATION]


def test_every_situation_carries_a_primary_source_and_a_review_date():
    assert set(GUIDANCE) == set(DecisionKind)
    for guidance in GUIDANCE.values():
        assert guidance.source.startswith(("https://laws-lois.justice.gc.ca/", "https://www.canada.ca/"))
        assert guidance.reviewed_on.year >= 2026
