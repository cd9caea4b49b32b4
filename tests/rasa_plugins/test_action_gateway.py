"""Rasa's route to the action servers: failover, and what Rasa gets when none answers."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from sanic.compat import Header

from bot.rasa_plugins.action_gateway import APOLOGY, ActionGatewayInput, failure_result, is_rasas_own_call
from bot.settings import ActionGatewaySettings
from tests.ports import free_port
from tests.system.assistant import ACTION_SERVER_TOKEN, ActionServer

pytestmark = pytest.mark.unit


def _gateway(*urls: str) -> ActionGatewayInput:
    settings = ActionGatewaySettings(
        urls=urls, timeout_seconds=5, connect_timeout_seconds=1, server_token=ACTION_SERVER_TOKEN
    )
    return ActionGatewayInput(settings)


def _forward(gateway, call):
    async def run():
        try:
            return await gateway.forward(json.dumps(call).encode())
        finally:
            if gateway._session:
                await gateway._session.close()

    return asyncio.run(run())


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    with ActionServer(tmp_path_factory.mktemp("gateway") / "actions.log") as server:
        yield server


@pytest.mark.system
def test_a_dead_action_server_is_skipped_for_a_live_one(action_server):
    dead = f"http://127.0.0.1:{free_port()}/webhook"
    gateway = _gateway(dead, action_server.url)
    # An action the server does not know: its own 404 comes back through, untouched (the token let the call in).
    answers = [_forward(gateway, {"next_action": "action_unknown", "tracker": {}, "domain": {}}) for _ in range(2)]
    assert [answer.status for answer in answers] == [404, 404]
    assert all(b"action_unknown" in answer.body for answer in answers)


@pytest.mark.system
def test_an_action_server_refusing_the_token_is_a_failure_said_in_the_log(action_server, caplog):
    settings = ActionGatewaySettings(
        urls=(action_server.url,), timeout_seconds=5, connect_timeout_seconds=1, server_token="not-the-token"
    )
    with caplog.at_level(logging.ERROR, logger="bot.rasa_plugins.action_gateway"):
        answer = _forward(ActionGatewayInput(settings), {"next_action": "action_unknown", "tracker": {}, "domain": {}})
    assert answer is None
    assert "ACTION_SERVER_TOKEN differs" in caplog.text


def test_no_live_action_server_gives_up_on_the_refused_connections_without_waiting_for_a_timeout(caplog):
    gateway = _gateway(f"http://127.0.0.1:{free_port()}/webhook", f"http://127.0.0.1:{free_port()}/webhook")
    with caplog.at_level(logging.ERROR, logger="bot.rasa_plugins.action_gateway"):
        assert _forward(gateway, {"next_action": "action_remedies"}) is None
    reasons = [record.args[1] for record in caplog.records]
    # Each server refused at once: a connection error, never a timeout waited out.
    assert reasons == ["ClientConnectorError", "ClientConnectorError"]


def test_without_an_action_server_the_person_gets_an_apology():
    result = failure_result({"next_action": "action_remedies", "tracker": {"slots": {"requested_slot": None}}})
    assert result == {"events": [], "responses": [{"response": APOLOGY}]}


def test_a_form_answer_that_could_not_be_checked_is_asked_again():
    call = {"next_action": "validate_consultation_form", "tracker": {"slots": {"requested_slot": "contact_email"}}}
    assert failure_result(call)["events"] == [{"event": "slot", "name": "contact_email", "value": None}]


def test_the_apology_is_a_response_of_the_domain(domain):
    assert APOLOGY in domain["responses"]


@pytest.mark.parametrize(
    "peer, headers, allowed",
    [
        ("127.0.0.1", {"X-Action-Gateway-Token": "rasa-token"}, True),
        ("::1", {"x-action-gateway-token": "rasa-token"}, True),
        # A raw tunnel to Rasa's port: the request comes from this machine, without the token.
        ("127.0.0.1", {}, False),
        ("127.0.0.1", {"X-Action-Gateway-Token": "rasa-tokeN"}, False),
        ("127.0.0.1", {"X-Action-Gateway-Token": ""}, False),
        ("127.0.0.1", {"X-Action-Gateway-Token": "rasa-token", "X-Forwarded-For": "203.0.113.5"}, False),
        ("203.0.113.5", {"X-Action-Gateway-Token": "rasa-token"}, False),
    ],
)
def test_only_rasas_own_call_from_this_machine_reaches_the_action_servers(peer, headers, allowed):
    assert is_rasas_own_call(peer, Header(headers), "rasa-token") is allowed


def test_without_a_token_set_the_gateway_takes_no_call():
    assert not is_rasas_own_call("127.0.0.1", Header({"X-Action-Gateway-Token": ""}), "")
