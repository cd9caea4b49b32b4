"""The action response check gives the verdict and the error `jsonschema.validate` gives Rasa."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_plugins import action_response_check
from bot.rasa_plugins.action_gateway import ActionGatewayInput

pytestmark = pytest.mark.unit

VALID = [
    {"events": [], "responses": []},
    {},
    {
        "events": [
            {"event": "slot", "timestamp": None, "name": "program", "value": "cec"},
            {"event": "active_loop", "name": "triage_form"},
            {"event": "followup", "name": "action_remedies"},
        ],
        "responses": [{"response": "utter_remedies_intro", "deadline": "15 décembre 2026"}],
    },
]
INVALID = [
    [],
    {"events": {"event": "slot"}},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "value": "cec"}]},
    {"events": [{"event": "slot", "name": "program"}], "responses": {}},
    {"responses": ["utter_greet"]},
    {"events": [{"event": "slot", "name": 7, "value": "cec"}]},
]


def _rasa_verdict(result):
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError as error:
        return error
    return None


@pytest.mark.parametrize("result", VALID)
def test_a_valid_response_passes(result):
    assert _rasa_verdict(result) is None
    assert action_response_check.validate_action_result(None, result) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_raises_the_error_jsonschema_validate_raises(result):
    expected = _rasa_verdict(result)
    assert expected is not None
    with pytest.raises(jsonschema.ValidationError) as raised:
        action_response_check.validate_action_result(None, result)
    assert raised.value.message.startswith(expected.message + ". Failed to validate Action server response")
    assert list(raised.value.path) == list(expected.path)
    assert list(raised.value.schema_path) == list(expected.schema_path)


def test_the_schema_is_checked_once(monkeypatch):
    action_response_check.response_validator.cache_clear()
    checks = []
    validator_class = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    original = validator_class.check_schema
    monkeypatch.setattr(validator_class, "check_schema", classmethod(lambda cls, s: checks.append(s) or original(s)))
    for _ in range(3):
        action_response_check.validate_action_result(None, VALID[2])
    assert len(checks) == 1


def test_the_action_gateway_installs_it_in_rasa(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setenv("ACTION_SERVER_URLS", "http://127.0.0.1:5055/webhook")
    ActionGatewayInput.from_credentials(None)
    action = RemoteAction("action_remedies", EndpointConfig("http://127.0.0.1:5055/webhook"))
    assert action._validate_action_result(VALID[2]) is True
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(INVALID[2])
    assert RemoteAction._validate_action_result is action_response_check.validate_action_result
