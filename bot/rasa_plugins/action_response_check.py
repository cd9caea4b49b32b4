"""Rasa's check of each action server response, with the schema checked once instead of on every call.

Rasa 3.6 checks every response against its schema with `jsonschema.validate`, which first checks the
schema itself (23 event kinds) against JSON Schema's meta-schema. Under load that repeated check was
38 % of the Rasa server's CPU (py-spy, bench/README.md), and a turn makes two to four action calls.
`install()` gives `RemoteAction` the same check, with the same error, from a validator built once.
Rasa has no setting or plugin hook for this, hence the patch; it is made when the action gateway
starts, since every action call goes through the gateway (bot/rasa_plugins/action_gateway.py).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Dict

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for


@cache
def response_validator() -> Validator:
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(remote_action: Any, result: Dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result`: what `jsonschema.validate` would raise, and Rasa's hint."""
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
