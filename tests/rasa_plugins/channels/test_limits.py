import pytest

from bot.rasa_plugins.channels.limits import MAX_SENDER_LENGTH, is_sender, is_text

pytestmark = pytest.mark.unit


def test_a_text_is_a_str_that_can_be_encoded():
    assert is_text("Bonjour \x00 \u202e 😀")
    assert is_text("")


def test_lone_surrogates_and_other_values_are_not_texts():
    # What JSON's "\ud800" escape decodes to: spaCy, Redis and the database cannot encode it.
    assert not is_text("\ud800")
    assert not is_text("Bonjour \udfff")
    assert not is_text(12)
    assert not is_text(None)
    assert not is_text(["Bonjour"])


def test_a_sender_is_a_text_not_blank_within_the_tracker_store_column():
    assert is_sender("whatsapp:+15145550199")
    assert is_sender("x" * MAX_SENDER_LENGTH)
    assert not is_sender("x" * (MAX_SENDER_LENGTH + 1))
    assert not is_sender("  ")
    assert not is_sender("")
    assert not is_sender("\ud800")
    assert not is_sender(42)
