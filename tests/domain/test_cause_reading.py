import pytest

from bot.domain.case import RefusalCause
from bot.domain.cause_reading import CauseThresholds, causes_from_scores, causes_restated, sentences

pytestmark = pytest.mark.unit

C = RefusalCause


def test_a_story_is_read_sentence_by_sentence():
    story = "ITA en mars. AOR en mai!! Refus hier… mon IELTS avait expiré\net je suis perdu"
    assert sentences(story) == [
        "ITA en mars.",
        "AOR en mai!!",
        "Refus hier…",
        "mon IELTS avait expiré",
        "et je suis perdu",
    ]
    assert sentences("refus pour score") == ["refus pour score"]
    assert sentences("   ") == ["   "]


def test_causes_at_the_threshold_are_read_and_unknown_gives_way_to_a_real_cause():
    scores = {"low_score": 0.75, "work_experience": 0.74, "unknown_reason": 0.9, "no_such_cause": 0.99}
    assert causes_from_scores(scores, CauseThresholds(0.75)) == (C.LOW_SCORE,)
    assert causes_from_scores({"unknown_reason": 0.9}, CauseThresholds(0.75)) == (C.UNKNOWN_REASON,)
    assert causes_from_scores({"low_score": 0.2}, CauseThresholds(0.75)) == ()


def test_the_cause_by_cause_reading_comes_before_the_intent():
    parse = {
        "intent": {"name": "refusal_low_score", "confidence": 0.9},
        "intent_ranking": [{"name": "refusal_low_score", "confidence": 0.9}],
        "refusal_causes": [{"cause": "work_experience", "confidence": 0.8}, {"cause": "low_score", "confidence": 0.9}],
    }
    assert causes_restated(parse) == (C.LOW_SCORE, C.WORK_EXPERIENCE)
    del parse["refusal_causes"]
    assert causes_restated(parse) == (C.LOW_SCORE,)
    assert causes_restated({"intent": {"name": "affirm"}, "refusal_causes": []}) == ()


def test_a_pair_is_restated_only_when_it_leads_its_own_causes_clearly():
    from bot.domain.cause_reading import causes_read

    pair = {"name": "refusal_low_score+refusal_work_experience", "confidence": 0.7}
    close = [pair, {"name": "refusal_low_score", "confidence": 0.25}]
    clear = [pair, {"name": "refusal_low_score", "confidence": 0.1}]
    assert causes_read(pair, close) == (C.LOW_SCORE,)
    assert causes_read({**pair, "confidence": 0.9}, clear) == (C.LOW_SCORE, C.WORK_EXPERIENCE)
    assert causes_read({"name": "affirm", "confidence": 0.9}, []) == ()


def test_hesitant_readings_become_choices_or_their_shared_cause():
    from bot.domain.cause_reading import cause_choices

    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "refusal_missing_documents", "confidence": 0.35},
        {"name": "refusal_missing_documents+refusal_officer_error", "confidence": 0.3},
        {"name": "refusal_low_score", "confidence": 0.05},
    ]
    assert cause_choices(ranking).shared == (C.MISSING_DOCUMENTS,)
    apart = [{"name": "refusal_low_score", "confidence": 0.3}, {"name": "refusal_pnp_criteria", "confidence": 0.25}]
    assert cause_choices(apart).choices == ((C.LOW_SCORE,), (C.PNP_CRITERIA,)) and cause_choices(apart).shared == ()
    assert cause_choices([{"name": "greet", "confidence": 0.9}]).choices == ()


def test_a_cause_read_in_one_sentence_alone_needs_the_higher_threshold():
    whole = {"low_score": 0.55, "misrepresentation": 0.2}
    in_sentence = {"low_score": 0.6, "misrepresentation": 0.85}
    thresholds = CauseThresholds(0.5, 0.9)
    assert causes_from_scores(whole, thresholds, in_sentence) == (C.LOW_SCORE,)
    assert causes_from_scores(whole, thresholds, {**in_sentence, "misrepresentation": 0.93}) == (
        C.MISREPRESENTATION,
        C.LOW_SCORE,
    )
    assert causes_from_scores(whole, CauseThresholds(0.5), {**in_sentence, "misrepresentation": 0.99}) == (C.LOW_SCORE,)


def test_a_cause_s_own_thresholds_replace_the_defaults():
    thresholds = CauseThresholds(
        0.5, 0.9, whole_by_cause={"misrepresentation": 0.65}, sentence_by_cause={"unknown_reason": None}
    )
    assert causes_from_scores({"misrepresentation": 0.6, "low_score": 0.6}, thresholds) == (C.LOW_SCORE,)
    assert causes_from_scores({"misrepresentation": 0.65}, thresholds) == (C.MISREPRESENTATION,)
    assert causes_from_scores({}, thresholds, {"unknown_reason": 0.99, "officer_error": 0.9}) == (C.OFFICER_ERROR,)


def test_a_misspelt_cause_in_the_thresholds_is_refused():
    with pytest.raises(ValueError, match="misrepresentaton"):
        CauseThresholds(0.5, whole_by_cause={"misrepresentaton": 0.65})


@pytest.mark.parametrize(
    "whole, sentence, by_cause, by_cause_in_sentence",
    [
        (65, 0.9, {}, {}),
        (0.5, 0.9, {"misrepresentation": None}, {}),
        (0.5, 0.9, {"low_score": "0.4"}, {}),
        (0.5, 1.5, {}, {}),
        (0.5, 0.9, {}, {"officer_error": -0.1}),
        (0.5, 0.9, {"low_score": True}, {}),
    ],
)
def test_a_threshold_out_of_range_or_not_a_number_is_refused(whole, sentence, by_cause, by_cause_in_sentence):
    with pytest.raises(ValueError, match="from 0 to 1"):
        CauseThresholds(whole, sentence, by_cause, by_cause_in_sentence)
    assert CauseThresholds(0.5, None, {"low_score": 0.4}, {"unknown_reason": None}).of_sentence(C.LOW_SCORE) is None
