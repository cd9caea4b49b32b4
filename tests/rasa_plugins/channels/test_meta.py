import asyncio
import json
from types import SimpleNamespace

import pytest
from sanic.compat import Header
from sanic.request import Request

from bench.letter_forms import text_pdf
from bot.rasa_plugins.channels import messenger as messenger_channel
from bot.rasa_plugins.channels import meta
from bot.rasa_plugins.channels import whatsapp as whatsapp_channel
from bot.rasa_plugins.channels.choices import ChoiceMemory, SeenMessages
from bot.rasa_plugins.channels.media import MediaUnavailable
from bot.rasa_plugins.channels.messenger import MessengerInput
from bot.rasa_plugins.channels.meta import Incoming, checked
from bot.rasa_plugins.channels.signatures import meta_signature
from bot.rasa_plugins.channels.whatsapp import WhatsAppInput
from bot.settings import MetaAppSettings
from bot.texts import file_response_text
from tests.rasa_plugins.channels.test_incoming import handed_file
from tests.rasa_plugins.test_letter_files import LETTER

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


class NoLimit:
    """Lets every message through."""

    def over(self, address, conversation) -> int:
        return 0


def signed_request(body: bytes) -> Request:
    headers = Header({"content-type": "application/json", "x-hub-signature-256": meta_signature("secret", body)})
    request = Request(b"/webhooks/whatsapp/webhook", headers, "1.1", "POST", None, None)
    request.body = body
    return request


def test_whatsapp_answers_a_file_at_once_reads_it_after_and_keeps_the_conversation_s_order(monkeypatch):
    bound = 30  # seconds: reached only when the webhook waits for the file (the failure this test is for)
    sent, received = [], []

    async def post_reply(api, url, json, **options):
        sent.append(json["text"]["body"])

    async def on_new_message(message):
        received.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, f"réponse {len(received)}")

    async def scenario():
        release = asyncio.Event()
        limiter = NoLimit()

        async def held_download():
            await release.wait()
            return text_pdf(LETTER)

        channel = WhatsAppInput()
        channel.settings = MetaAppSettings("verify", "secret", "token", "https://graph.example", "1029")
        channel.memory, channel.seen = ChoiceMemory(), SeenMessages()
        channel.download = lambda attachment: held_download
        monkeypatch.setattr(meta, "rate_limiter", lambda: limiter)
        monkeypatch.setattr(meta, "post_reply", post_reply)
        routes = channel.blueprint(on_new_message)._future_routes
        deliver = next(route.handler for route in routes if route.uri == "/webhook" and "POST" in route.methods)

        document = {"id": "1001", "mime_type": "application/pdf", "filename": "refus.pdf"}
        photo = {"from": "15145550123", "id": "wamid.doc", "type": "document", "document": document}
        answered = await asyncio.wait_for(deliver(signed_request(whatsapp(photo))), bound)
        assert answered.status == 200 and received == [] and sent == []

        text = {"from": "15145550123", "id": "wamid.txt", "type": "text", "text": {"body": "bonjour"}}
        # The text behind the file is answered at once too: its webhook does not wait for the reading.
        answered = await asyncio.wait_for(deliver(signed_request(whatsapp(text))), bound)
        assert answered.status == 200 and received == []
        release.set()
        await asyncio.wait_for(asyncio.gather(*channel.in_order._last.values()), bound)

    asyncio.run(scenario())
    assert len(received) == 2 and "Ambassade du Canada" in received[0] and received[1] == "bonjour"
    assert sent == ["réponse 1", "réponse 2"]
