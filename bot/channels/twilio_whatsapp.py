"""WhatsApp through Twilio: Rasa's twilio channel, with X-Twilio-Signature checked and choices numbered.

Twilio's WhatsApp has no buttons for free-form messages: choices are numbered lines, and a reply
"2" is taken as the second choice. Replies go out through Twilio's Messages API (asynchronously,
where Rasa's channel blocks the event loop with the synchronous client).
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.choices import ChoiceMemory, SeenMessages, choices_from_buttons, split_text
from bot.channels.meta import MAX_BODY_BYTES, numbered_text
from bot.channels.texts import channel_text
from bot.settings import TwilioSettings, twilio_settings

logger = logging.getLogger(__name__)

TEXT_LENGTH = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


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
        url = f"{self.settings.api_url}/2010-04-01/Accounts/{self.settings.account_sid}/Messages.json"
        auth = aiohttp.BasicAuth(self.settings.account_sid or "", self.settings.auth_token or "")
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10), auth=auth) as session:
            for piece in split_text(text, TEXT_LENGTH):
                form = {"From": _whatsapp(self.settings.whatsapp_number or ""), "To": recipient_id, "Body": piece}
                async with session.post(url, data=form) as answer:
                    if answer.status >= 400:
                        logger.warning("twilio_whatsapp: the Messages API answered %s", answer.status)

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
        self.memory = ChoiceMemory()
        self.seen = SeenMessages()

    def get_output_channel(self) -> OutputChannel:
        return TwilioWhatsAppOutput(self.settings, self.memory)

    def _signed(self, request: Request) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if not signature or not self.settings.auth_token:
            return False
        url = self.settings.webhook_url or request.url
        params = {key: values[0] for key, values in request.form.items()}
        return RequestValidator(self.settings.auth_token).validate(url, params, signature)

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
            if not self._signed(request):
                logger.warning("twilio_whatsapp: request refused, missing or wrong signature")
                return response.text("invalid signature", status=403)
            sender = request.form.get("From")
            message_id = request.form.get("MessageSid")
            # Status callbacks (queued, sent, delivered) carry a MessageStatus and no Body.
            if not sender or request.form.get("MessageStatus") or not self.seen.first_time(message_id):
                return response.text(EMPTY_TWIML, content_type="text/xml")
            output = self.get_output_channel()
            text = request.form.get("Body")
            if not text and int(request.form.get("NumMedia") or 0) > 0:
                await output.send_text_message(sender, channel_text("utter_channel_not_understood_media"))
            else:
                text = self.memory.resolve(sender, text or "")
                await on_new_message(
                    UserMessage(text, output, sender, input_channel=self.name(), message_id=message_id)
                )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
