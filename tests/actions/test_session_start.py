import pytest

from actions.session_start import ActionSessionStart

pytestmark = pytest.mark.unit


def test_opens_with_who_the_assistant_is(make_tracker, run_action):
    result = run_action(ActionSessionStart(), make_tracker())
    assert result.responses == ["utter_intro", "utter_ask_situation"]
    assert result.message("utter_intro")["firm_name"]
    assert [event["event"] for event in result.events] == ["session_started", "action"]
