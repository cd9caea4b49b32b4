"""What Messenger and the WhatsApp Cloud API share: Meta's webhook verification and signed deliveries.

Rasa's own Facebook channel answers 200 to a badly signed request and checks only the legacy
SHA-1 header; here a missing or wrong X-Hub-Signature-256 gets 403 and nothing is processed.
Every event of a batched delivery is handled, and a redelivered message is answered once.
A file is read after the webhook has answered; a conversation's messages keep their order (in_order.py).
"""

from __future__ import annotations

import hmac
import json
import logging
from abc import abstractmethod
from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_plugins.channels.choices import (
    Choice,
    ChoiceMemory,
    SeenMessages,
    choices_from_buttons,
    numbered,
    split_text,
)
from bot.rasa_plugins.channels.conversation_ids import conversation_id
from bot.rasa_plugins.channels.in_order import InOrder
from bot.rasa_plugins.channels.incoming import hand_over
from bot.rasa_plugins.channels.limits import MAX_BODY_BYTES, is_sender, is_text
from bot.rasa_plugins.channels.media import Download
from bot.rasa_plugins.channels.rate_limits import rate_limiter
from bot.rasa_plugins.channels.reply_queue import post_reply, reply_queue
from bot.rasa_plugins.channels.signatures import valid_meta_signature
from bot.rasa_plugins.shared_state import channel_state
from bot.settings import MetaAppSettings
from bot.texts import file_response_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    """One message from a person, as the platform delivered it."""

    sender_id: str
    message_id: Optional[str]
    text: Optional[str]  # None: something the assistant cannot read (a voice note), or a file
    attachment: Optional[str] = None  # where the platform keeps a file the person sent (a media id, a URL)


def checked(message: Incoming) -> Incoming:
    """The message if Meta could have sent it; ValueError otherwise (an id or a text that is no text)."""
    if not is_sender(message.sender_id):
        raise ValueError("sender id")
    if message.message_id is not None and not is_text(message.message_id):
        raise ValueError("message id")
    if message.text is not None and not is_text(message.text):
        raise ValueError("text")
    if message.attachment is not None and not (is_text(message.attachment) and len(message.attachment) <= 2048):
        raise ValueError("attachment")
    return message


class GraphOutput(OutputChannel):
    """Posts to Meta's Graph API; failures are logged by status, never with the person's id."""

    def __init__(self, settings: MetaAppSettings, memory: ChoiceMemory):
        self.settings = settings
        self.memory = memory

    async def _post(self, recipient_id: str, url: str, payload: Dict[str, Any], **kwargs: Any) -> None:
        """Sends one message to the Graph API, through the reply queue: in order, and again while Meta is down."""

        deliver = partial(post_reply, f"{self.name()}: the Graph API", url, json=payload, **kwargs)
        await reply_queue().send(recipient_id, deliver)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = choices_from_buttons(buttons)
        self.memory.remember(recipient_id, choices)
        await self.send_choices(recipient_id, text or "", choices)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def text_before_choices(self, recipient_id: str, text: str, length: int) -> str:
        """Sends ahead what does not fit in the message with the choices; returns what does."""
        pieces = split_text(text, length) or [" "]
        for piece in pieces[:-1]:
            await self.send_text_message(recipient_id, piece)
        return pieces[-1]

    @abstractmethod
    async def send_choices(self, recipient_id: str, text: str, choices: List[Choice]) -> None:
        """Shows the choices as the platform allows (see `layout_for`)."""


class MetaWebhookInput(InputChannel):
    def __init__(self, settings: MetaAppSettings):
        self.settings = settings
        self.memory = ChoiceMemory(shared=channel_state())
        self.seen = SeenMessages(shared=channel_state())
        self.in_order = InOrder()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        # Secrets come from the environment (bot/settings.py), never from credentials.yml.
        return cls()

    @abstractmethod
    def incoming(self, payload: Dict[str, Any]) -> Iterable[Incoming]:
        """Every person's message in a delivery, in order; receipts and statuses left out."""

    @abstractmethod
    def output(self) -> GraphOutput:
        """The output channel answering on this platform."""

    @abstractmethod
    def download(self, attachment: str) -> Download:
        """How to get the bytes of a file the person sent, from what the delivery says of it."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        return self.output()

    def messages_in(self, body: bytes) -> List[Incoming]:
        """Every message of a signed delivery; ValueError for a body no Meta delivery looks like."""
        try:
            return [checked(message) for message in self.incoming(json.loads(body))]
        except (TypeError, KeyError, AttributeError, RecursionError) as error:
            raise ValueError("malformed delivery") from error

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.configured else "not configured"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            token = self.settings.verify_token
            offered = (request.args.get("hub.verify_token") or "").encode()
            # Constant time: the comparison's duration tells nothing of the token (bytes: any text compares).
            if request.args.get("hub.mode") == "subscribe" and token and hmac.compare_digest(offered, token.encode()):
                return response.text(request.args.get("hub.challenge") or "")
            return response.text("invalid verify token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def deliver(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.text("channel not configured", status=503)
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.text("body too large", status=413)
            if not valid_meta_signature(self.settings.app_secret, body, request.headers.get("X-Hub-Signature-256")):
                logger.warning("%s: delivery refused, missing or wrong signature", self.name())
                return response.text("invalid signature", status=403)
            try:
                messages = self.messages_in(body)
            except ValueError:
                return response.text("malformed delivery", status=400)
            output = self.output()
            for message in messages:
                if not self.seen.first_time(message.message_id):
                    continue
                await hand_over(
                    message.text,
                    conversation_id(self.name(), message.sender_id),
                    message.message_id,
                    output,
                    self.memory,
                    self.name(),
                    on_new_message,
                    rate_limiter(),
                    self.in_order,
                    file=self.download(message.attachment) if message.attachment else None,
                )
            return response.text("EVENT_RECEIVED")

        return webhook


def numbered_text(text: str, choices: List[Choice]) -> str:
    """The choices as numbered lines, and how to answer."""
    return numbered(text, choices) + "\n" + file_response_text("utter_channel_numbered_hint")
