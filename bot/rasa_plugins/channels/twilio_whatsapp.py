"""WhatsApp through Twilio: Rasa's twilio channel, with X-Twilio-Signature checked and choices numbered.

Twilio's WhatsApp has no buttons for free-form messages: choices are numbered lines, and a reply
"2" is taken as the second choice. Replies go out through Twilio's Messages API (asynchronously,
where Rasa's channel blocks the event loop with the synchronous client). A PDF or a photo is downloaded
from Twilio (MediaUrl0, with the account's credentials) and read as a letter, after the webhook has answered
(Twilio gives up on a webhook after 15 s; a conversation's messages keep their order, in_order.py).
"""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any, Awaitable, Callable, Dict, List, Optional
from urllib.parse import parse_qsl

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.rasa_plugins.channels.choices import ChoiceMemory, SeenMessages, choices_from_buttons, split_text
from bot.rasa_plugins.channels.in_order import InOrder
from bot.rasa_plugins.channels.incoming import hand_over
from bot.rasa_plugins.channels.limits import MAX_BODY_BYTES, is_sender
from bot.rasa_plugins.channels.media import Download, download, refused
from bot.rasa_plugins.channels.meta import numbered_text
from bot.rasa_plugins.channels.rate_limits import rate_limiter
from bot.rasa_plugins.channels.reply_queue import post_reply, reply_queue
from bot.rasa_plugins.shared_state import channel_state
from bot.settings import TwilioSettings, twilio_settings

logger = logging.getLogger(__name__)

TEXT_LENGTH = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MEDIA_COUNT = re.compile(r"[0-9]{1,2}")  # Twilio's NumMedia: at most 10


def twilio_form(content_type: str, body: bytes) -> Optional[Dict[str, str]]:
    """The fields as Twilio signed them, empty ones included; None for a body that is no UTF-8 form.

    Sanic's request.form drops empty fields, and with them the signature of a photo sent without a
    caption (an empty Body); it also logs a traceback for a body that is not UTF-8.
    """
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None


def _readable_media(form: Dict[str, str]) -> bool:
    """A PDF or an image: what the letter reader may read (a voice note or a video is not)."""
    kind = (form.get("MediaContentType0") or "").lower()
    return kind == "application/pdf" or kind.startswith("image/")


def _whatsapp(number: str) -> str:
    return number if number.startswith("whatsapp:") else f"whatsapp:{number}"


class TwilioWhatsAppOutput(OutputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    def __init__(self, settings: TwilioSettings, memory: ChoiceMemory):
        self.settings = settings
        self.memory = memory

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text, TEXT_LENGTH):
            form = {"From": _whatsapp(self.settings.whatsapp_number or ""), "To": recipient_id, "Body": piece}
            await reply_queue().send(recipient_id, partial(self._deliver, form))

    async def _deliver(self, form: Dict[str, str]) -> None:
        """One message to Twilio's Messages API; PlatformUnavailable while Twilio is down (reply_queue.py)."""
        url = f"{self.settings.api_url}/2010-04-01/Accounts/{self.settings.account_sid}/Messages.json"
        auth = aiohttp.BasicAuth(self.settings.account_sid or "", self.settings.auth_token or "")
        await post_reply("twilio_whatsapp: the Messages API", url, auth=auth, data=form)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = choices_from_buttons(buttons)
        self.memory.remember(recipient_id, choices)
        await self.send_text_message(recipient_id, numbered_text(text or "", choices))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)


class TwilioWhatsAppInput(TwilioInput):
    """Webhook at /webhooks/twilio_whatsapp/webhook; secrets from the environment."""

    @classmethod
    def name(cls) -> str:
        return "twilio_whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        return cls(twilio_settings())

    def __init__(self, settings: TwilioSettings) -> None:
        super().__init__(settings.account_sid, settings.auth_token, settings.whatsapp_number, debug_mode=False)
        self.settings = settings
        if settings.partly_configured:
            logger.error(
                "twilio_whatsapp: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_WHATSAPP_NUMBER and "
                "TWILIO_WEBHOOK_URL are all needed; the channel answers 503 until they are set"
            )
        self.memory = ChoiceMemory(shared=channel_state())
        self.seen = SeenMessages(shared=channel_state())
        self.in_order = InOrder()

    def get_output_channel(self) -> OutputChannel:
        return TwilioWhatsAppOutput(self.settings, self.memory)

    def _signed(self, request: Request, form: Dict[str, str]) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if not signature or not self.settings.auth_token or not self.settings.webhook_url:
            return False
        return RequestValidator(self.settings.auth_token).validate(self.settings.webhook_url, form, signature)

    def _download(self, url: str) -> Download:
        if not url.startswith(self.settings.api_url + "/"):
            # The account's credentials go to Twilio's API only, never to another host a form names.
            return refused("a media URL outside Twilio's API")
        # Twilio's media URLs ask for the account's credentials (HTTP basic authentication).
        auth = aiohttp.BasicAuth(self.settings.account_sid or "", self.settings.auth_token or "")
        return partial(download, url, auth=auth)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("twilio_whatsapp_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings.configured else "not configured"})

        @webhook.route("/webhook", methods=["POST"])
        async def deliver(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.text("channel not configured", status=503)
            if len(request.body or b"") > MAX_BODY_BYTES:
                return response.text("body too large", status=413)
            form = twilio_form(request.headers.get("content-type", ""), request.body or b"")
            if form is None:
                return response.text("the body must be a UTF-8 form", status=400)
            if not self._signed(request, form):
                logger.warning("twilio_whatsapp: request refused, missing or wrong signature")
                return response.text("invalid signature", status=403)
            sender, message_id, text = form.get("From"), form.get("MessageSid"), form.get("Body")
            media = form.get("NumMedia") or "0"
            # Status callbacks (queued, sent, delivered) carry a MessageStatus and no Body.
            if not sender or form.get("MessageStatus"):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            if not is_sender(sender) or not MEDIA_COUNT.fullmatch(media):
                return response.text("malformed message", status=400)
            if not self.seen.first_time(message_id):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            readable = None if not text and int(media) > 0 else text or ""
            # A PDF or a photo (the first one: a letter's pages come one message each) is read as a letter.
            file_url = form.get("MediaUrl0") if int(media) > 0 and _readable_media(form) else None
            await hand_over(
                readable,
                sender,
                message_id,
                self.get_output_channel(),
                self.memory,
                self.name(),
                on_new_message,
                rate_limiter(),
                self.in_order,
                file=self._download(file_url) if file_url else None,
            )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
