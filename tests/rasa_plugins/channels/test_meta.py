import json

import pytest

from bot.rasa_plugins.channels.messenger import MessengerInput
from bot.rasa_plugins.channels.meta import Incoming, checked
from bot.rasa_plugins.channels.whatsapp import WhatsAppInput

pytestmark = pytest.mark.unit


def messenger(message) -> bytes:
    event = {"sender": {"id": "p-1"}, "recipient": {"id": "page"}, "timestamp": 1, "message": message}
    return json.dumps({"object": "page", "entry": [{"id": "page", "time": 1, "messaging": [event]}]}).encode()


def whatsapp(message) -> bytes:
    value = {"messaging_product": "whatsapp", "messages": [message]}
    return json.dumps({"entry": [{"id": "waba", "changes": [{"field": "messages", "value": value}]}]}).encode()


def test_a_delivery_as_meta_sends_it_is_read():
    assert MessengerInput().messages_in(messenger({"mid": "m-1", "text": "Bonjour"})) == [
        Incoming("p-1", "m-1", "Bonjour")
    ]
    text = {"from": "15145550123", "id": "wamid.1", "type": "text", "text": {"body": "Bonjour"}}
    assert WhatsAppInput().messages_in(whatsapp(text)) == [Incoming("15145550123", "wamid.1", "Bonjour")]


@pytest.mark.parametrize(
    "channel, body",
    [
        (MessengerInput, messenger({"mid": "m-2", "text": 12})),  # a 500: the text went on to a regular expression
        (MessengerInput, messenger({"mid": ["m-3"], "text": "Bonjour"})),  # a 500: an unhashable message id
        (MessengerInput, messenger({"mid": "m-4", "text": "\ud800"})),
        (WhatsAppInput, whatsapp({"from": "1" * 256, "id": "wamid.2", "type": "text", "text": {"body": "Bonjour"}})),
        (WhatsAppInput, whatsapp({"from": "15145550123", "id": 7, "type": "text", "text": {"body": "Bonjour"}})),
        (WhatsAppInput, b"[" * 100_000),  # a 500: RecursionError
        (MessengerInput, b'{"entry": 5}'),
    ],
    ids=["text-number", "id-list", "surrogate-text", "sender-too-long", "id-number", "nested-too-deep", "entry-number"],
)
def test_a_body_no_meta_delivery_looks_like_raises_value_error(channel, body):
    with pytest.raises(ValueError):
        channel().messages_in(body)


def test_checked_lets_media_through_as_no_text():
    photo = Incoming("15145550123", "wamid.3", None)
    assert checked(photo) is photo
