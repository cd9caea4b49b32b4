import json

import pytest
from sanic.compat import Header
from sanic.request import Request

from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.rasa_plugins.channels.rate_limits import RateLimiter
from bot.rasa_plugins.channels.rest import RestInput, letter_problem, problem, too_many
from bot.rasa_plugins.channels.web_sessions import new_session_id, signed_id
from bot.settings import MAX_FILE_BYTES, WebAbuseSettings, web_abuse_settings, web_session_key
from bot.texts import file_response_text

pytestmark = pytest.mark.unit

# A conversation the server handed out.
P = new_session_id(web_session_key())


def post(body: bytes, **headers: str) -> Request:
    headers = Header({"content-type": "application/json", **{name.replace("_", "-"): v for name, v in headers.items()}})
    request = Request(b"/webhooks/rest/webhook", headers, "1.1", "POST", None, None)
    request.body = body
    return request


def status(body: bytes):
    refusal = problem(post(body))
    return refusal.status if refusal else None


def test_a_message_is_let_through():
    assert status(json.dumps({"sender": P, "message": "Bonjour", "metadata": {"page": "accueil"}}).encode()) is None
    assert status(json.dumps({"sender": P, "message": "é" * MAX_MESSAGE_LENGTH}).encode()) is None


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # raised RecursionError, a 500
        b'{"sender": "%s", ' % P.encode() + b'"message": "\\ud800"}',  # failed in spaCy, no answer
        b'{"sender": "\\udfff", "message": "Bonjour"}',  # failed in Redis, no answer
        # Failed in Rasa's tracker, no answer:
        b'{"sender": "%s", ' % P.encode() + b'"message": "Bonjour", "metadata": [1]}',
        b'{"sender": "%s", ' % P.encode() + b'"message": "Bonjour", "metadata": "x"}',
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


@pytest.mark.parametrize(
    "sender",
    [
        "15145550199",  # someone's WhatsApp number, bare
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",  # an id a browser made up, as the earlier widget did
        signed_id("A" * 22, b"x" * 32),  # signed, but not by this deployment
        P[:-1] + ("A" if P[-1] != "A" else "B"),  # another visitor's id guessed from one seen
    ],
    ids=["phone-number", "client-made", "other-key", "altered"],
)
def test_a_conversation_the_server_did_not_hand_out_is_refused(sender):
    assert status(json.dumps({"sender": sender, "message": "?"}).encode()) == 403


def test_the_client_chooses_neither_the_channel_name_nor_stored_metadata():
    channel = RestInput()
    request = post(
        json.dumps({"sender": P, "message": "Bonjour", "input_channel": "x" * 10_000, "metadata": {"a": 1}}).encode()
    )
    assert channel._extract_input_channel(request) == "rest"
    assert channel.get_metadata(request) is None


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", ""])
def test_a_body_not_declared_json_is_refused_so_no_other_site_posts_without_asking(content_type):
    # A browser sends these three across sites without a CORS preflight; application/json it does not.
    body = json.dumps({"sender": P, "message": "Bonjour"}).encode()
    assert problem(post(body, content_type=content_type)).status == 415
    assert problem(post(body, content_type="application/json; charset=utf-8")) is None


def test_a_page_not_in_allowed_origins_is_refused(monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://cabinet.example")
    web_abuse_settings.cache_clear()
    try:
        body = json.dumps({"sender": P, "message": "Bonjour"}).encode()
        assert problem(post(body, origin="https://evil.example")).status == 403
        assert problem(post(body, origin="https://cabinet.example")) is None
        assert problem(post(body)) is None  # no browser page: curl, the platform's tests
        # The widget on the assistant's own site, behind nginx, is not listed and is let through.
        own = post(body, origin="https://assistant.example", host="assistant.example", x_forwarded_proto="https")
        assert problem(own) is None
    finally:
        web_abuse_settings.cache_clear()


def test_a_sender_over_its_limit_gets_429_and_the_french_answer_as_a_reply():
    limiter = RateLimiter(WebAbuseSettings(60, 100, 2, ()))
    request = post(json.dumps({"sender": P, "message": "Bonjour"}).encode())
    assert too_many(request, P, limiter) is None and too_many(request, P, limiter) is None
    refusal = too_many(request, P, limiter)
    assert refusal.status == 429 and refusal.headers["retry-after"] == "60"
    assert json.loads(refusal.body) == [
        {"recipient_id": P, "text": file_response_text("utter_channel_too_many_messages")}
    ]


def letter_post(body: bytes, sender=P, content_type="application/octet-stream") -> Request:
    headers = Header({"content-type": content_type})
    path = f"/webhooks/rest/letter?sender={sender}".encode()
    request = Request(path, headers, "1.1", "POST", None, None)
    request.body = body
    return request


def test_a_letter_file_is_let_through_for_a_conversation_the_server_handed_out():
    request = letter_post(b"%PDF-1.7 ...")
    assert letter_problem(request) is None and request.ctx.sender == P


def test_a_letter_file_for_another_s_conversation_or_sent_as_a_form_is_refused():
    assert letter_problem(letter_post(b"%PDF-", sender="whatsapp:15145550199")).status == 403
    assert letter_problem(letter_post(b"%PDF-", sender=signed_id("A" * 22, b"another key"))).status == 403
    # A form posts across sites without asking (CORS): refused like a message not sent as JSON.
    assert letter_problem(letter_post(b"%PDF-", content_type="multipart/form-data")).status == 415


def test_a_letter_file_over_the_limit_gets_413_and_the_french_answer_as_a_reply():
    refusal = letter_problem(letter_post(b"%PDF-" + b" " * MAX_FILE_BYTES))
    assert refusal.status == 413
    assert json.loads(refusal.body)[0]["text"] == file_response_text("utter_letter_file_too_large")
