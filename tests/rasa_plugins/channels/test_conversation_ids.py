import pytest

from bot.rasa_plugins.channels.conversation_ids import conversation_id, is_web_sender, platform_id

pytestmark = pytest.mark.unit


def test_a_messaging_conversation_is_named_by_its_channel_and_the_platform_id_comes_back():
    assert conversation_id("whatsapp", "15145550199") == "whatsapp:15145550199"
    assert platform_id("whatsapp", "whatsapp:15145550199") == "15145550199"
    assert platform_id("messenger", conversation_id("messenger", "24680")) == "24680"


def test_only_an_unprefixed_id_is_a_web_sender():
    assert is_web_sender("4f1c2b0e9d8a4b7c9e6f5a4b3c2d1e0f")
    assert not is_web_sender(conversation_id("whatsapp", "15145550199"))
    assert not is_web_sender("whatsapp:+15145550199")  # Twilio's own form
    assert not is_web_sender("") and not is_web_sender(None)
