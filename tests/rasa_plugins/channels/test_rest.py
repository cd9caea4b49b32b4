import json

import pytest
from sanic.compat import Header
from sanic.request import Request

from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.rasa_plugins.channels.rest import RestInput, problem

pytestmark = pytest.mark.unit


def post(body: bytes) -> Request:
    headers = Header({"content-type": "application/json"})
    request = Request(b"/webhooks/rest/webhook", headers, "1.1", "POST", None, None)
    request.body = body
    return request


def status(body: bytes):
    refusal = problem(post(body))
    return refusal.status if refusal else None


def test_a_message_is_let_through():
    assert status(json.dumps({"sender": "p", "message": "Bonjour", "metadata": {"page": "accueil"}}).encode()) is None
    assert status(json.dumps({"sender": "p", "message": "é" * MAX_MESSAGE_LENGTH}).encode()) is None


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # raised RecursionError, a 500
        b'{"sender": "p", "message": "\\ud800"}',  # failed in spaCy, no answer
        b'{"sender": "\\udfff", "message": "Bonjour"}',  # failed in Redis, no answer
        b'{"sender": "p", "message": "Bonjour", "metadata": [1]}',  # failed in Rasa's tracker, no answer
        b'{"sender": "p", "message": "Bonjour", "metadata": "x"}',
    ],
    ids=["nested-too-deep", "surrogate-message", "surrogate-sender", "metadata-list", "metadata-text"],
)
def test_what_rasa_cannot_read_is_refused_with_400(body):
    assert status(body) == 400


@pytest.mark.parametrize(
    "sender",
    ["whatsapp:+15145550199", "whatsapp:15145550199", "messenger:24680", "web:someone"],
    ids=["twilio", "whatsapp-cloud", "messenger", "any-prefix"],
)
def test_a_web_sender_can_never_name_another_channel_s_conversation(sender):
    assert status(json.dumps({"sender": sender, "message": "?"}).encode()) == 400


def test_the_client_chooses_neither_the_channel_name_nor_stored_metadata():
    channel = RestInput()
    request = post(
        json.dumps({"sender": "p", "message": "Bonjour", "input_channel": "x" * 10_000, "metadata": {"a": 1}}).encode()
    )
    assert channel._extract_input_channel(request) == "rest"
    assert channel.get_metadata(request) is None
