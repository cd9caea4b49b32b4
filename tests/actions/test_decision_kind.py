import pytest

from actions.decision_kind import ActionExplainDecisionKind
from bot.domain.decision_kind import not_refused_intents

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("intent", not_refused_intents())
def test_each_situation_has_its_text_and_gives_no_deadline(intent, make_tracker, run_action, domain):
    result = run_action(ActionExplainDecisionKind(), make_tracker("un message", intent))
    assert result.responses[0] == f"utter_decision_kind_{intent}"
    assert result.slots == {"decision_kind": intent, "refusal_causes": None, "decision_date": None}
    assert not any(name.startswith(("utter_remedy", "utter_deadline")) for name in result.responses)
    assert f"utter_value_decision_kind_{intent}" in domain["responses"]


def test_no_invitation_says_it_is_not_a_refusal_and_cites_its_source(make_tracker, run_action):
    result = run_action(ActionExplainDecisionKind(), make_tracker("toujours pas d'ITA", "no_invitation"))
    message = result.message("utter_decision_kind_no_invitation")
    assert message["source_url"].startswith("https://www.canada.ca/")
    assert message["reviewed_on"]
    assert result.responses[1] == "utter_decision_kind_offer_consultation"


def test_an_open_fairness_letter_offers_help_to_answer_it(make_tracker, run_action):
    result = run_action(ActionExplainDecisionKind(), make_tracker("j'ai reçu une PFL", "fairness_letter"))
    assert result.responses == ["utter_decision_kind_fairness_letter", "utter_decision_kind_answer_first"]


def test_another_kind_of_application_is_out_of_scope_and_gets_the_firms_contact(make_tracker, run_action):
    result = run_action(ActionExplainDecisionKind(), make_tracker("permis d'études refusé", "other_application"))
    assert result.responses == ["utter_decision_kind_other_application", "utter_handoff"]


def test_a_refusal_described_before_is_forgotten_so_that_no_deadline_is_worked_out(make_tracker, run_action):
    tracker = make_tracker(
        "en fait c'est une lettre d'équité",
        "fairness_letter",
        slots={"refusal_causes": ["misrepresentation"], "decision_date": "2026-11-20"},
    )
    result = run_action(ActionExplainDecisionKind(), tracker)
    assert result.slots["refusal_causes"] is None and result.slots["decision_date"] is None


@pytest.mark.parametrize("intent", ["refusal_low_score", "affirm"])
def test_a_refusal_or_a_dialogue_intent_is_left_to_other_actions(intent, make_tracker, run_action):
    result = run_action(ActionExplainDecisionKind(), make_tracker("texte", intent))
    assert result.responses == [] and result.slots == {}
