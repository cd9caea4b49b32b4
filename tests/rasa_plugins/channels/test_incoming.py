import asyncio

import aiohttp
import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bench.letter_forms import text_pdf
from bot.rasa_plugins.channels.choices import Choice, ChoiceMemory
from bot.rasa_plugins.channels.in_order import InOrder
from bot.rasa_plugins.channels.incoming import hand_over, telling_when_busy
from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.rasa_plugins.channels.media import MediaTooLarge, MediaUnavailable
from bot.rasa_plugins.channels.rate_limits import RateLimiter
from bot.rasa_plugins.lock_store import ConversationBusy
from bot.settings import WebAbuseSettings
from bot.texts import file_response_text
from tests.rasa_plugins.test_letter_files import CV, LETTER

pytestmark = pytest.mark.unit


def _limiter(per_conversation=30):
    return RateLimiter(WebAbuseSettings(60, 120, per_conversation, ()))


def handed(text, memory=None, limiter=None):
    output, received = CollectingOutputChannel(), []

    async def on_new_message(message):
        received.append(message)

    memory = memory or ChoiceMemory()
    asyncio.run(
        hand_over(text, "p1", "m1", output, memory, "whatsapp", on_new_message, limiter or _limiter(), InOrder())
    )
    return [m["text"] for m in output.messages], received


def test_a_readable_text_reaches_rasa_with_its_sender_channel_and_message_id():
    answers, [message] = handed("mon test de langue a expiré")
    assert answers == []
    assert (message.text, message.sender_id, message.input_channel, message.message_id) == (
        "mon test de langue a expiré",
        "p1",
        "whatsapp",
        "m1",
    )


def test_a_number_answering_choices_becomes_the_choice_payload():
    memory = ChoiceMemory()
    memory.remember("p1", [Choice("Oui", "/affirm"), Choice("Non", "/deny")])
    _, [message] = handed("2", memory)
    assert message.text == "/deny"


def test_a_photo_or_a_too_long_text_gets_a_french_answer_and_nothing_reaches_rasa():
    assert handed(None) == ([file_response_text("utter_channel_not_understood_media")], [])
    assert handed("a" * (MAX_MESSAGE_LENGTH + 1)) == ([file_response_text("utter_channel_message_too_long")], [])


def test_a_flood_in_one_conversation_is_answered_once_and_never_reaches_rasa():
    limiter = _limiter(per_conversation=3)
    for _ in range(3):
        assert len(handed("bonjour", limiter=limiter)[1]) == 1
    answers, received = handed("bonjour", limiter=limiter)
    assert answers == [file_response_text("utter_channel_too_many_messages")] and received == []
    # Past the first message over the limit, no more calls to the platform: the flood gets silence.
    assert handed("bonjour", limiter=limiter) == ([], [])


def test_a_message_refused_by_a_full_conversation_queue_gets_the_french_answer_on_its_own_channel():
    output = CollectingOutputChannel()

    async def on_new_message(message):
        raise ConversationBusy("10 messages of this conversation are already waiting.")

    asyncio.run(telling_when_busy(on_new_message)(UserMessage("allo", output, "p1")))
    assert output.messages == [{"recipient_id": "p1", "text": file_response_text("utter_channel_too_many_messages")}]


def test_a_message_the_queue_takes_is_handled_as_rasa_handles_it():
    async def on_new_message(message):
        return f"handled {message.text}"

    assert asyncio.run(telling_when_busy(on_new_message)(UserMessage("allo", CollectingOutputChannel(), "p1"))) == (
        "handled allo"
    )


def handed_file(download):
    output, received = CollectingOutputChannel(), []

    async def on_new_message(message):
        received.append(message)

    async def hand_over_and_read():
        in_order = InOrder()
        await hand_over(
            None, "p1", "m1", output, ChoiceMemory(), "whatsapp", on_new_message, _limiter(), in_order, file=download
        )
        # The file is read in the background: a job of the same conversation ends after its turn.
        await in_order.run("p1", _nothing)

    asyncio.run(hand_over_and_read())
    return [m["text"] for m in output.messages], received


async def _nothing():
    pass


def _serving(data):
    async def download():
        return data

    return download


def test_a_letter_sent_as_a_pdf_reaches_rasa_as_its_text():
    answers, [message] = handed_file(_serving(text_pdf(LETTER)))
    assert answers == []
    assert "Ambassade du Canada" in message.text and "E004455667" in message.text


def test_a_file_that_gives_no_letter_gets_its_french_answer_and_nothing_reaches_rasa():
    assert handed_file(_serving(text_pdf(CV))) == ([file_response_text("utter_letter_file_not_a_letter")], [])
    assert handed_file(_serving(b"PK\x03\x04")) == ([file_response_text("utter_letter_file_not_supported")], [])


@pytest.mark.parametrize(
    "error, answer",
    [
        (MediaTooLarge(), "utter_letter_file_too_large"),
        (MediaUnavailable("status 404"), "utter_letter_file_unreachable"),
        # What no platform's download was expected to raise: a size that is no number, an answer aiohttp refuses.
        (ValueError("invalid literal for int() with base 10: '12 Mo'"), "utter_letter_file_unreachable"),
        (aiohttp.InvalidURL("https://[cdn"), "utter_letter_file_unreachable"),
        (aiohttp.ClientPayloadError("cut short"), "utter_letter_file_unreachable"),
    ],
)
def test_a_file_the_platform_does_not_hand_over_is_answered(error, answer):
    async def download():
        raise error

    assert handed_file(download) == ([file_response_text(answer)], [])
