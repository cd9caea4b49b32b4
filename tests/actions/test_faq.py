import pytest

from actions.faq import ActionAnswerFaq, is_faq
from actions.form_answers import interrupts

pytestmark = pytest.mark.unit


def test_each_question_about_a_term_gets_its_own_answer(make_tracker, run_action, domain):
    faq_intents = [intent for intent in domain["intents"] if is_faq(intent)]
    assert len(faq_intents) >= 10
    for intent in faq_intents:
        assert run_action(ActionAnswerFaq(), make_tracker("c'est quoi ?", intent)).responses == [f"utter_{intent}"]


def test_a_term_with_no_answer_gets_the_default_answer_not_silence(make_tracker, run_action):
    assert run_action(ActionAnswerFaq(), make_tracker("c'est quoi ?", "faq_unknown_term")).responses == [
        "utter_default"
    ]


def test_a_question_about_a_term_leaves_any_form_question_aside():
    assert interrupts("faq_scg", set())
    assert interrupts("cancel", {"cancel"})
    assert not interrupts("inform", {"cancel"})
    assert not interrupts(None, {"cancel"})
