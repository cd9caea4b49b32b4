"""The action server takes calls from the action gateway alone (bot/rasa_plugins/action_server.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from sanic.compat import Header

from bot.rasa_plugins.action_server import is_the_gateways_call
from bot.settings import ACTION_SERVER_TOKEN_HEADER
from tests.system.assistant import ACTION_SERVER_TOKEN, ROOT, ActionServer

# A call naming an action that does not exist: 404 from rasa_sdk itself once the call is let in.
CALL = {"next_action": "action_that_does_not_exist", "sender_id": "p1", "tracker": {}, "domain": {}}


@pytest.mark.unit
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({ACTION_SERVER_TOKEN_HEADER: "the-token"}, True),
        # As Sanic hands the headers over: any case.
        (Header({"x-action-server-token": "the-token"}), True),
        ({ACTION_SERVER_TOKEN_HEADER: "the-token "}, False),
        ({ACTION_SERVER_TOKEN_HEADER: "other"}, False),
        ({}, False),
    ],
)
def test_only_the_exact_token_is_the_gateways(headers, expected):
    assert is_the_gateways_call(headers, "the-token") is expected


@pytest.mark.unit
def test_without_a_token_set_no_call_is_the_gateways():
    assert not is_the_gateways_call({ACTION_SERVER_TOKEN_HEADER: ""}, "")


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    with ActionServer(tmp_path_factory.mktemp("action-server") / "actions.log") as server:
        yield server


@pytest.mark.integration
def test_a_local_process_without_the_token_runs_no_action(action_server):
    # The attack: anything that reaches the port posts a made-up call (a consultation request, say).
    for headers in ({}, {ACTION_SERVER_TOKEN_HEADER: "guessed"}):
        answer = requests.post(action_server.url, json=CALL, headers=headers, timeout=30)
        assert answer.status_code == 403
        assert "action_that_does_not_exist" not in answer.text


@pytest.mark.integration
def test_the_gateways_call_reaches_rasa_sdk_and_health_stays_open(action_server):
    answer = requests.post(action_server.url, json=CALL, headers={ACTION_SERVER_TOKEN_HEADER: ACTION_SERVER_TOKEN})
    assert answer.status_code == 404 and "action_that_does_not_exist" in answer.text
    assert requests.get(action_server.url.replace("/webhook", "/health"), timeout=30).json() == {"status": "ok"}


@pytest.mark.integration
@pytest.mark.parametrize("token", [None, "change-me-to-48-random-characters-from-openssl-rand"])
def test_an_action_server_without_its_own_token_refuses_to_start_and_says_why(token):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    if token:
        env["ACTION_SERVER_TOKEN"] = token
    result = subprocess.run(
        [sys.executable, "-m", "bot.rasa_plugins.action_server", "--actions", "actions"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ACTION_SERVER_TOKEN is not set, or is still the example's" in result.stderr
