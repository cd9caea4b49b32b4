import asyncio

import pytest

from bot.rasa_plugins.channels.socketio import SocketIOInput, malformed_polling_body, readable_message, session_id_of
from bot.rasa_plugins.channels.web_sessions import new_session_id
from bot.settings import web_abuse_settings, web_session_key

pytestmark = pytest.mark.unit


def test_the_widgets_events_are_readable():
    assert readable_message({"message": "Bonjour", "session_id": "s-1"}, "metadata")
    assert readable_message({"message": "Bonjour", "session_id": "s-1", "metadata": {"page": "/"}}, "metadata")
    assert readable_message({"message": "Bonjour", "session_id": "s-1", "metadata": '{"page": "/"}'}, "metadata")
    session = new_session_id(web_session_key())
    assert session_id_of({"session_id": session}) == session


@pytest.mark.parametrize(
    "data",
    [
        "Bonjour",
        12,
        ["Bonjour"],
        None,
        {"message": 12},
        {"message": "\ud800"},
        {"message": "x", "metadata": "{bad"},
        {"message": "x", "metadata": [1]},
    ],
)
def test_events_of_another_shape_are_not(data):
    # Each of these raised inside Rasa's handler and left a traceback in the log.
    assert not readable_message(data, "metadata")


@pytest.mark.parametrize("data", [None, "s-1", {"session_id": {"a": 1}}, {"session_id": ""}, {"session_id": "s" * 256}])
def test_a_session_id_is_a_short_text(data):
    assert session_id_of(data) is None


def test_engineio_payloads_python_engineio_cannot_read_are_malformed():
    assert not malformed_polling_body(b'42["user_uttered",{"message":"Bonjour"}]')
    assert not malformed_polling_body(b"40\x1e3")
    assert not malformed_polling_body(b"1") and not malformed_polling_body(b"5")
    for body in (b"garbage", b"\xff", b"4\x1e", b'42["user_uttered"', b"d=x"):
        assert malformed_polling_body(body), body


def test_packets_only_a_server_sends_are_refused_before_python_engineio_hangs_on_them():
    # An open, a ping or a noop from the client made python-engineio close the session and wait, with
    # the client's POST unanswered, until the session timed out.
    for body in (b"0", b"2", b"6", b"40\x1e2", b"2probe"):
        assert malformed_polling_body(body), body


@pytest.mark.parametrize(
    "session_id",
    ["whatsapp:15145550199", "messenger:24680", "whatsapp:+15145550199", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"],
)
def test_a_socketio_client_can_join_no_conversation_the_server_did_not_hand_out(session_id):
    assert session_id_of({"session_id": session_id}) is None


def test_a_connection_from_a_page_not_in_allowed_origins_is_refused(monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://cabinet.example")
    web_abuse_settings.cache_clear()
    try:
        channel = SocketIOInput(
            user_message_evt="user_uttered", bot_message_evt="bot_uttered", session_persistence=True
        )

        async def on_new_message(message):
            return None

        channel.blueprint(on_new_message)
        connect = channel.sio.handlers["/"]["connect"]
        assert asyncio.run(connect("s1", {"HTTP_ORIGIN": "https://evil.example"}, None)) is False
        assert asyncio.run(connect("s2", {"HTTP_ORIGIN": "https://cabinet.example"}, None)) is True
        assert asyncio.run(connect("s3", {}, None)) is True
        own = {"HTTP_ORIGIN": "https://assistant.example", "HTTP_HOST": "assistant.example", "wsgi.url_scheme": "https"}
        assert asyncio.run(connect("s4", own, None)) is True
    finally:
        web_abuse_settings.cache_clear()
