import pytest

from actions.cause_confirmation import (
    ActionDisambiguateCause,
    ActionOfferCauses,
    ActionRestateCauses,
)
from bot.domain.case import RefusalCause
from tests.actions.test_triage_form import LETTER, LETTER_READ

pytestmark = pytest.mark.unit


def test_restates_a_single_cause_and_remembers_it(make_tracker, run_action):
    result = run_action(ActionRestateCauses(), make_tracker("mon test de langue a expiré", "refusal_missing_documents"))
    assert result.responses == ["utter_restate_causes"]
    assert result.message("utter_restate_causes")["causes"] == "- Des documents manquants, expirés ou incorrects"
    assert result.slots == {"refusal_causes": ["missing_documents"], "decision_kind": None}


def test_restates_both_causes_of_a_multi_intent(make_tracker, run_action):
    tracker = make_tracker(
        "mon test avait expiré et ils parlent de fausse déclaration",
        "refusal_missing_documents+refusal_misrepresentation",
    )
    result = run_action(ActionRestateCauses(), tracker)
    causes = result.message("utter_restate_causes")["causes"].splitlines()
    assert len(causes) == 2
    assert "fausse déclaration" in causes[1]
    assert result.slots == {"refusal_causes": ["missing_documents", "misrepresentation"], "decision_kind": None}


def test_without_a_cause_it_asks_to_rephrase(make_tracker, run_action):
    result = run_action(ActionRestateCauses(), make_tracker("euh", "affirm"))
    assert result.responses == ["utter_default"]
    assert result.slots == {}


def test_offers_every_cause_as_a_button(make_tracker, run_action):
    result = run_action(ActionOfferCauses(), make_tracker("non", "deny", slots={"refusal_causes": ["low_score"]}))
    buttons = result.message("utter_offer_causes")["buttons"]
    assert [b["payload"] for b in buttons] == ["/" + cause.intent for cause in RefusalCause]
    assert all(b["title"] for b in buttons)
    assert result.slots == {"refusal_causes": None}


def test_low_confidence_offers_the_best_causes_and_something_else(make_tracker, run_action):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "refusal_work_experience", "confidence": 0.41},
        {"name": "refusal_low_score", "confidence": 0.38},
        {"name": "refusal_missing_documents+refusal_low_score", "confidence": 0.12},
        {"name": "refusal_officer_error", "confidence": 0.05},
    ]
    tracker = make_tracker("mes points et mon expérience", "nlu_fallback", intent_ranking=ranking)
    buttons = run_action(ActionDisambiguateCause(), tracker).message("utter_ask_which_cause")["buttons"]
    assert [b["payload"] for b in buttons] == [
        "/refusal_work_experience",
        "/refusal_low_score",
        "/refusal_missing_documents+refusal_low_score",
        "/deny",
    ]
    assert buttons[-1]["title"] == "Autre chose"


def test_low_confidence_without_any_cause_asks_to_rephrase(make_tracker, run_action):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "out_of_scope", "confidence": 0.30},
        {"name": "greet", "confidence": 0.2},
        {"name": "thank", "confidence": 0.2},
        {"name": "refusal_low_score", "confidence": 0.15},
    ]
    tracker = make_tracker("🙂🙂🙂", "nlu_fallback", intent_ranking=ranking)
    assert run_action(ActionDisambiguateCause(), tracker).responses == ["utter_default"]


def test_close_candidates_sharing_a_cause_restate_that_cause(make_tracker, run_action):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "refusal_missing_documents+refusal_officer_error", "confidence": 0.38},
        {"name": "refusal_missing_documents", "confidence": 0.35},
        {"name": "change_answer", "confidence": 0.1},
    ]
    tracker = make_tracker("mon TEF est périmé", "nlu_fallback", intent_ranking=ranking)
    result = run_action(ActionDisambiguateCause(), tracker)
    assert result.messages == []
    assert result.slots == {"refusal_causes": ["missing_documents"]}
    assert result.events[-1] == {"event": "followup", "timestamp": None, "name": "action_restate_causes"}


def test_close_candidates_sharing_a_cause_but_unlikely_still_get_buttons(make_tracker, run_action):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "refusal_missing_documents+refusal_officer_error", "confidence": 0.25},
        {"name": "refusal_missing_documents", "confidence": 0.2},
    ]
    tracker = make_tracker("bof", "nlu_fallback", intent_ranking=ranking)
    assert run_action(ActionDisambiguateCause(), tracker).responses == ["utter_ask_which_cause"]


def _pair_then_single(make_tracker, pair_confidence, single_confidence):
    pair = "refusal_missing_documents+refusal_officer_error"
    tracker = make_tracker("mon TEF est périmé", pair)
    tracker.latest_message["intent"]["confidence"] = pair_confidence
    tracker.latest_message["intent_ranking"] = [
        {"name": pair, "confidence": pair_confidence},
        {"name": "refusal_missing_documents", "confidence": single_confidence},
    ]
    return tracker


def test_a_pair_barely_ahead_of_one_of_its_causes_restates_that_cause(make_tracker, run_action):
    result = run_action(ActionRestateCauses(), _pair_then_single(make_tracker, 0.64, 0.25))
    assert result.slots == {"refusal_causes": ["missing_documents"], "decision_kind": None}


def test_a_clear_pair_restates_both_causes(make_tracker, run_action):
    result = run_action(ActionRestateCauses(), _pair_then_single(make_tracker, 0.83, 0.03))
    assert result.slots == {"refusal_causes": ["missing_documents", "officer_error"], "decision_kind": None}


def test_a_pasted_letter_is_quoted_and_its_provisions_named_before_the_causes(make_tracker, run_action):
    result = run_action(ActionRestateCauses(), make_tracker(LETTER, "refusal_missing_documents", parsed=LETTER_READ))
    assert result.responses == ["utter_letter_grounds", "utter_restate_causes"]
    quote = result.message("utter_letter_grounds")["quotes"]
    assert quote == "«\u00a0You did not provide the police certificate requested.\u00a0»"


def test_a_story_that_is_no_letter_is_restated_without_quotes(make_tracker, run_action):
    result = run_action(ActionRestateCauses(), make_tracker("mon test de langue a expiré", "refusal_missing_documents"))
    assert result.responses == ["utter_restate_causes"]
