import pytest

from actions.greeting import ActionGreet

pytestmark = pytest.mark.unit


def _after(make_tracker, response):
    tracker = make_tracker("bonjour", "greet")
    tracker.events.insert(0, {"event": "bot", "text": "...", "metadata": {"utter_action": response}})
    return tracker


def test_first_greeting_is_not_answered_twice(make_tracker, run_action):
    assert run_action(ActionGreet(), _after(make_tracker, "utter_ask_situation")).messages == []


def test_a_greeting_later_on_is_answered(make_tracker, run_action):
    result = run_action(ActionGreet(), _after(make_tracker, "utter_offer_consultation"))
    assert result.responses == ["utter_greet"]
