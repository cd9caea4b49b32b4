"""Facebook Messenger: Meta-signed webhook in, Send API out.

Choices: up to 3 as a button template (text up to 640 characters), up to 13 as quick replies,
more as numbered lines. Titles are cut to 20 characters; payloads are kept whole. A photo or a file is
downloaded from the URL Meta's delivery gives and read as a letter.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Dict, Iterable, List, Optional

from bot.rasa_plugins.channels.choices import Choice, Layout, Limits, layout_for, shorten, split_text
from bot.rasa_plugins.channels.conversation_ids import platform_id
from bot.rasa_plugins.channels.media import Download, download, refused
from bot.rasa_plugins.channels.meta import GraphOutput, Incoming, MetaWebhookInput, numbered_text
from bot.settings import messenger_settings

LIMITS = Limits(max_buttons=3, max_menu=13, title_length=20, menu_title_length=20, text_length=2000)
TEMPLATE_TEXT_LENGTH = 640


class MessengerOutput(GraphOutput):
    @classmethod
    def name(cls) -> str:
        return "messenger"

    async def _send(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self._post(
            recipient_id,
            f"{self.settings.graph_api_url}/me/messages",
            {
                "recipient": {"id": platform_id(self.name(), recipient_id)},
                "messaging_type": "RESPONSE",
                "message": message,
            },
            params={"access_token": self.settings.access_token},
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text, LIMITS.text_length):
            await self._send(recipient_id, {"text": piece})

    async def send_choices(self, recipient_id: str, text: str, choices: List[Choice]) -> None:
        kind = layout_for(choices, LIMITS)
        if kind is Layout.BUTTONS:
            body = await self.text_before_choices(recipient_id, text, TEMPLATE_TEXT_LENGTH)
            buttons = [
                {"type": "postback", "title": shorten(c.title, LIMITS.title_length), "payload": c.payload}
                for c in choices
            ]
            template = {"template_type": "button", "text": body, "buttons": buttons}
            await self._send(recipient_id, {"attachment": {"type": "template", "payload": template}})
        elif kind is Layout.MENU:
            body = await self.text_before_choices(recipient_id, text, LIMITS.text_length)
            replies = [
                {"content_type": "text", "title": shorten(c.title, LIMITS.menu_title_length), "payload": c.payload}
                for c in choices
            ]
            await self._send(recipient_id, {"text": body, "quick_replies": replies})
        else:
            await self.send_text_message(recipient_id, numbered_text(text, choices))


class MessengerInput(MetaWebhookInput):
    """Webhook at /webhooks/messenger/webhook."""

    @classmethod
    def name(cls) -> str:
        return "messenger"

    def __init__(self) -> None:
        super().__init__(messenger_settings())

    def output(self) -> MessengerOutput:
        return MessengerOutput(self.settings, self.memory)

    def incoming(self, payload: Dict[str, Any]) -> Iterable[Incoming]:
        for entry in payload["entry"]:
            for event in entry.get("messaging") or []:
                sender = str(event["sender"]["id"])
                if "postback" in event:
                    postback = event["postback"]
                    yield Incoming(sender, postback.get("mid"), postback.get("payload") or postback.get("title") or "")
                    continue
                message = event.get("message")
                if not message or message.get("is_echo"):
                    continue  # delivery and read receipts, the page's own messages
                quick_reply = message.get("quick_reply") or {}
                text = quick_reply.get("payload") or message.get("text")
                yield Incoming(sender, message.get("mid"), text, None if text else _file_url(message))

    def download(self, attachment: str) -> Download:
        # The URL comes from Meta's signed delivery; Meta's CDN serves it over TLS, without the page's token.
        # Another scheme is no file of Meta's: nothing is fetched, the person is asked to send it again.
        if not attachment.startswith("https://"):
            return refused("a file URL that is not HTTPS")
        return partial(download, attachment)


def _file_url(message: Dict[str, Any]) -> Optional[str]:
    """Where Meta keeps the first photo or file of the message; audio, video and stickers are not read."""
    for attachment in message.get("attachments") or []:
        url = (attachment.get("payload") or {}).get("url")
        if attachment.get("type") in ("image", "file") and isinstance(url, str):
            return url
    return None
