import asyncio
import json
from types import SimpleNamespace

import pytest

from bot.rasa_plugins.channels import messenger as messenger_channel
from bot.rasa_plugins.channels import whatsapp as whatsapp_channel
from bot.rasa_plugins.channels.media import MediaUnavailable
from bot.rasa_plugins.channels.messenger import MessengerInput
from bot.rasa_plugins.channels.meta import Incoming, checked
from bot.rasa_plugins.channels.whatsapp import WhatsAppInput
from bot.texts import file_response_text
from tests.rasa_plugins.channels.test_incoming import handed_file

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


@pytest.fixture
def platform(monkeypatch):
    """What the channels fetch (`fetched`: every URL), and how the Graph API describes a media (`described`)."""
    platform = SimpleNamespace(fetched=[], described={"url": "https://lookaside.fbsbx.com/?mid=1", "file_size": 1})

    async def json_of(url, headers):
        platform.fetched.append(url)
        return platform.described

    async def download(url, **options):
        platform.fetched.append(url)
        return b"%PDF-"

    monkeypatch.setattr(whatsapp_channel, "json_of", json_of)
    monkeypatch.setattr(whatsapp_channel, "download", download)
    monkeypatch.setattr(messenger_channel, "download", download)
    return platform


@pytest.mark.parametrize("media_id", ["me", "1/../me", "1.2", "12a", "١٢"])
def test_whatsapp_fetches_a_numeric_media_id_only(platform, media_id):
    with pytest.raises(MediaUnavailable):
        asyncio.run(WhatsAppInput().download(media_id)())
    assert platform.fetched == []
    asyncio.run(WhatsAppInput().download("1234567890123456")())
    assert platform.fetched[0].endswith("/1234567890123456")


@pytest.mark.parametrize("size", ["12 Mo", [1], float("inf")])
def test_whatsapp_a_media_size_that_is_no_number_is_answered_unreachable(platform, size):
    platform.described["file_size"] = size
    answer = file_response_text("utter_letter_file_unreachable")
    assert handed_file(WhatsAppInput().download("1234")) == ([answer], [])


@pytest.mark.parametrize("url", ["http://cdn.fbsbx.com/letter.pdf", "ftp://cdn.fbsbx.com/letter.pdf", "//x/letter.pdf"])
def test_messenger_fetches_an_https_file_url_only(platform, url):
    delivered = {"mid": "m-5", "attachments": [{"type": "file", "payload": {"url": url}}]}
    [message] = MessengerInput().messages_in(messenger(delivered))
    answer = file_response_text("utter_letter_file_unreachable")
    assert handed_file(MessengerInput().download(message.attachment)) == ([answer], [])
    assert platform.fetched == []
    asyncio.run(MessengerInput().download("https://cdn.fbsbx.com/letter.pdf")())
    assert platform.fetched == ["https://cdn.fbsbx.com/letter.pdf"]
