import pytest

from actions.change_answer import ActionAskAnswerToChange, ActionChangeAnswer

pytestmark = pytest.mark.unit


def test_offers_only_the_answers_given(make_tracker, run_action):
    slots = {"program": "fsw", "authority": "ircc", "decision_date": "2026-11-03"}
    result = run_action(ActionAskAnswerToChange(), make_tracker("je me suis trompé", "change_answer", slots=slots))
    buttons = result.message("utter_ask_answer_to_change")["buttons"]
    assert [b["payload"] for b in buttons] == [
        '/change_answer{"answer_to_change":"program"}',
        '/change_answer{"answer_to_change":"authority"}',
        '/change_answer{"answer_to_change":"decision_date"}',
    ]
    assert [b["title"] for b in buttons] == ["Le programme", "Qui a refusé", "La date de la lettre"]


def test_nothing_answered_yet(make_tracker, run_action):
    result = run_action(ActionAskAnswerToChange(), make_tracker("je me suis trompé", "change_answer"))
    assert result.responses == ["utter_nothing_to_change"]


def test_clears_the_chosen_answer_so_the_form_asks_it_again(make_tracker, run_action):
    slots = {"program": "fsw", "decision_date": "2026-11-03", "answer_to_change": "decision_date"}
    result = run_action(ActionChangeAnswer(), make_tracker("la date", "change_answer", slots=slots))
    assert result.slots == {"decision_date": None, "answer_to_change": None}


def test_changing_the_program_asks_again_who_refused(make_tracker, run_action):
    slots = {"program": "fsw", "authority": "ircc", "answer_to_change": "program"}
    result = run_action(ActionChangeAnswer(), make_tracker("le programme", "change_answer", slots=slots))
    assert result.slots == {"program": None, "authority": None, "answer_to_change": None}
