import pytest

from bot.domain.case import RefusalCause, causes_from_intent, intent_for_causes

pytestmark = pytest.mark.unit

C = RefusalCause


def test_single_cause_intent():
    assert causes_from_intent("refusal_low_score") == (C.LOW_SCORE,)


def test_multi_intent_gives_both_causes_in_declaration_order():
    assert causes_from_intent("refusal_misrepresentation+refusal_missing_documents") == (
        C.MISSING_DOCUMENTS,
        C.MISREPRESENTATION,
    )


def test_unknown_reason_gives_way_to_a_known_cause():
    assert causes_from_intent("refusal_unknown_reason+refusal_officer_error") == (C.OFFICER_ERROR,)


def test_other_intents_name_no_cause():
    for name in ("greet", "nlu_fallback", "", None, "refusal_", "refusal_low_score+greet", "refusal_nope"):
        assert causes_from_intent(name) == ()


def test_intent_round_trip():
    causes = (C.MISSING_DOCUMENTS, C.MISREPRESENTATION)
    assert intent_for_causes(causes) == "refusal_missing_documents+refusal_misrepresentation"
    assert causes_from_intent(intent_for_causes(causes)) == causes
