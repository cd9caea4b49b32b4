"""One person's message from a messaging platform (Messenger, WhatsApp), handed to Rasa.

A PDF or a photo is read as a letter (letter_files.py) and its text handed to Rasa as if pasted, in the
background (in_order.py); a file that gives no letter gets its French answer, and nothing of it reaches the
conversation.
What Rasa cannot take gets a short French answer instead: a voice note or a video, a text over the
length limit, a message over the conversation's rate limit (answered once per window: each answer
costs a call to the platform), a message arriving while its conversation's queue is full (lock_store.py),
a message Rasa failed to handle.
A "2" answering numbered choices becomes the choice's payload.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from functools import partial
from typing import Any, Awaitable, Callable, Optional, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage

from bot.rasa_plugins.channels.choices import ChoiceMemory
from bot.rasa_plugins.channels.in_order import InOrder
from bot.rasa_plugins.channels.limits import MAX_MESSAGE_LENGTH
from bot.rasa_plugins.channels.media import Download, MediaTooLarge, MediaUnavailable
from bot.rasa_plugins.channels.rate_limits import RateLimiter
from bot.rasa_plugins.letter_files import FileProblem, letter_file_reader
from bot.rasa_plugins.lock_store import ConversationBusy
from bot.texts import file_response_text

logger = logging.getLogger(__name__)

NewMessageHandler = Callable[[UserMessage], Awaitable[Any]]


def telling_when_busy(on_new_message: NewMessageHandler) -> NewMessageHandler:
    """Rasa's handler, with what it could not answer told in French on the message's own channel.

    A full conversation queue gets its own answer, any other failure the apology for a technical problem. No
    error goes further, not even a cancellation (the person closed the page): Rasa's REST channel, which it
    would reach, logs the message's whole text at ERROR level, a pasted letter included
    (tests/rasa_plugins/test_rasa_guards.py).
    """

    async def handle(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except ConversationBusy:
            text = file_response_text("utter_channel_too_many_messages")
        except asyncio.CancelledError:
            # The connection closed: nobody waits for an answer. Rasa's REST channel would end here too, text logged.
            logger.warning("%s: a message was cancelled before its answer", message.input_channel)
            return None
        except Exception as error:  # noqa: BLE001 - whatever failed, the person gets an answer
            # The frames only: an error's own message may quote the text (a database error quotes the row).
            frames = "".join(traceback.format_tb(error.__traceback__))
            logger.error(
                "%s: a message could not be handled (%s)\n%s", message.input_channel, type(error).__name__, frames
            )
            text = file_response_text("utter_technical_problem")
        await message.output_channel.send_text_message(message.sender_id, text)
        return None

    return handle


async def letter_text(file: Download) -> Tuple[Optional[str], Optional[FileProblem]]:
    """The letter's text in a file the person sent, or why there is none."""
    try:
        data = await file()
    except MediaTooLarge:
        return None, FileProblem.TOO_LARGE
    except MediaUnavailable as error:
        logger.warning("a file could not be downloaded from the platform (%s)", error)
        return None, FileProblem.UNREACHABLE
    except Exception as error:  # noqa: BLE001 - whatever a platform's answer makes fail, the person gets an answer
        logger.warning("a file could not be downloaded from the platform (%s)", type(error).__name__)
        return None, FileProblem.UNREACHABLE
    read = await letter_file_reader().read(data)
    return (read.text, None) if read.problem is None else (None, read.problem)


async def hand_over(
    text: Optional[str],  # None: something the assistant cannot read
    sender_id: str,
    message_id: Optional[str],
    output: OutputChannel,
    memory: ChoiceMemory,
    channel_name: str,
    on_new_message: NewMessageHandler,
    limiter: RateLimiter,
    in_order: InOrder,
    file: Optional[Download] = None,  # a PDF or an image the person sent: read as a letter
) -> None:
    """Handles a text before returning; a file's reading and its turn, and a text behind a file of the same
    conversation, go on after, in the background.

    Either way the message's turn comes after those of the conversation's earlier messages.
    """
    # The platform's servers post for everyone: counted per conversation, not per address. Counted on arrival,
    # not when the turn comes: a flood of files is refused at once instead of being read one after the other.
    over = limiter.over(None, sender_id)
    if over:
        if over == 1:
            await output.send_text_message(sender_id, file_response_text("utter_channel_too_many_messages"))
        return
    turn = partial(_turn, text, sender_id, message_id, output, memory, channel_name, on_new_message, file)
    if file is None and not in_order.busy(sender_id):
        await in_order.run(sender_id, turn)
    else:
        # A file, or a text behind one: in the background, so that the webhook (and the other people's messages
        # of the same delivery) does not wait for the reading.
        in_order.start(sender_id, turn)


async def _turn(
    text: Optional[str],
    sender_id: str,
    message_id: Optional[str],
    output: OutputChannel,
    memory: ChoiceMemory,
    channel_name: str,
    on_new_message: NewMessageHandler,
    file: Optional[Download],
) -> None:
    if file is not None:
        text, problem = await letter_text(file)
        if problem is not None:
            await output.send_text_message(sender_id, file_response_text(problem.answer))
            return
    if text is None:
        await output.send_text_message(sender_id, file_response_text("utter_channel_not_understood_media"))
    elif len(text) > MAX_MESSAGE_LENGTH:
        await output.send_text_message(sender_id, file_response_text("utter_channel_message_too_long"))
    else:
        await telling_when_busy(on_new_message)(
            UserMessage(
                memory.resolve(sender_id, text), output, sender_id, input_channel=channel_name, message_id=message_id
            )
        )
