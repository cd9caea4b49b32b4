import pytest

from bot.rasa_plugins.channels.twilio_whatsapp import TwilioWhatsAppInput, twilio_form
from bot.settings import TwilioSettings

pytestmark = pytest.mark.unit

FORM = "application/x-www-form-urlencoded"


def test_empty_fields_are_kept_for_the_signature():
    # A photo without a caption: Twilio signs its empty Body, which Sanic's request.form drops (a 403).
    assert twilio_form(FORM, b"Body=&NumMedia=1&From=whatsapp%3A%2B15145550123") == {
        "Body": "",
        "NumMedia": "1",
        "From": "whatsapp:+15145550123",
    }
    assert twilio_form("Application/X-WWW-Form-Urlencoded; charset=utf-8", b"Body=%C3%A9") == {"Body": "é"}


def test_what_is_no_utf8_form_is_refused():
    # Sanic logged a traceback for these, and the signature of an empty form let them through.
    assert twilio_form(FORM, b"Body=\xff") is None
    assert twilio_form("multipart/form-data", b"Body=x") is None
    assert twilio_form("application/json", b'{"Body": "x"}') is None
    assert twilio_form("", b"Body=x") is None


def _settings(webhook_url):
    return TwilioSettings("AC123", "token", "whatsapp:+15145550100", webhook_url, "https://api.twilio.com")


def test_without_the_public_url_twilio_signs_the_channel_is_not_configured_and_says_so_at_start(caplog):
    assert _settings("https://assistant.example.com/webhooks/twilio_whatsapp/webhook").configured
    partial = _settings(None)
    assert not partial.configured and partial.partly_configured
    TwilioWhatsAppInput(partial)
    assert "TWILIO_WEBHOOK_URL are all needed" in caplog.text
