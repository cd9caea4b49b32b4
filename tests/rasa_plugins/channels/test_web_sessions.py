import pytest

from bot.rasa_plugins.channels.conversation_ids import is_web_sender
from bot.rasa_plugins.channels.web_sessions import is_issued, new_session_id, signed_id

pytestmark = pytest.mark.unit

KEY = b"k" * 32


def test_an_id_the_server_handed_out_is_accepted_and_names_no_other_channel():
    session = new_session_id(KEY)
    assert is_issued(session, KEY) and is_web_sender(session)
    assert new_session_id(KEY) != session


@pytest.mark.parametrize(
    "forged",
    [
        "15145550199",  # someone's WhatsApp number
        "whatsapp:15145550199",
        "messenger:2468",
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",  # an id of the earlier widget, chosen by the browser
        signed_id("A" * 22, b"another deployment's key 32 bytes"),
        None,
        42,
        "",
    ],
)
def test_an_id_the_server_did_not_sign_is_refused(forged):
    assert not is_issued(forged, KEY)


def test_a_signed_id_altered_by_one_character_is_refused():
    session = new_session_id(KEY)
    token, signature = session[len("web-") :].split(".")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert not is_issued(f"web-{flipped}.{signature}", KEY)
    assert not is_issued(session + "x", KEY) and not is_issued(" " + session, KEY)


@pytest.mark.parametrize(
    "secret, kept",
    [
        ("a-long-enough-secret-of-forty-characters!", True),
        ("change-me-to-48-random-characters-from-openssl-rand", False),  # deploy/env.example's, public
        ("short", False),
        ("", False),
    ],
)
def test_only_a_real_secret_signs_the_ids(monkeypatch, secret, kept):
    from bot.settings import web_session_key

    monkeypatch.setenv("WEB_SESSION_SECRET", secret)
    web_session_key.cache_clear()
    try:
        key = web_session_key()
        assert (key == secret.encode()) is kept and len(key) >= 32
    finally:
        web_session_key.cache_clear()
