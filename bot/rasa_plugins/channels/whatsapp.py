"""WhatsApp through Meta's Cloud API: Meta-signed webhook in, Graph API messages out.

Choices: up to 3 as reply buttons (titles up to 20 characters), up to 10 as a list message
(row titles up to 24), more as numbered lines. The person's phone number is the conversation id:
it is never logged. A document or a photo is fetched through the Graph API's media URL, with the access
token, and read as a letter.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from bot.rasa_plugins.channels.choices import Choice, Layout, Limits, layout_for, shorten, split_text
from bot.rasa_plugins.channels.conversation_ids import platform_id
from bot.rasa_plugins.channels.media import Download, MediaTooLarge, MediaUnavailable, download, json_of
from bot.rasa_plugins.channels.meta import GraphOutput, Incoming, MetaWebhookInput, numbered_text
from bot.settings import MAX_FILE_BYTES, whatsapp_settings
from bot.texts import file_response_text

LIMITS = Limits(max_buttons=3, max_menu=10, title_length=20, menu_title_length=24, text_length=4096)
INTERACTIVE_BODY_LENGTH = 1024
ID_LENGTH = 256
# A Graph API media id is a number: it goes into a URL path, so nothing else is accepted (not "..", not "me").
MEDIA_ID = re.compile(r"[0-9]{1,64}")


class WhatsAppOutput(GraphOutput):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    async def _send(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self._post(
            recipient_id,
            f"{self.settings.graph_api_url}/{self.settings.phone_number_id}/messages",
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": platform_id(self.name(), recipient_id),
                **message,
            },
            headers={"Authorization": f"Bearer {self.settings.access_token}"},
        )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for piece in split_text(text, LIMITS.text_length):
            await self._send(recipient_id, {"type": "text", "text": {"body": piece}})

    async def send_choices(self, recipient_id: str, text: str, choices: List[Choice]) -> None:
        kind = layout_for(choices, LIMITS)
        if kind is Layout.NUMBERED:
            await self.send_text_message(recipient_id, numbered_text(text, choices))
            return
        body = await self.text_before_choices(recipient_id, text, INTERACTIVE_BODY_LENGTH)
        if kind is Layout.BUTTONS:
            action = {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {"id": c.payload[:ID_LENGTH], "title": shorten(c.title, LIMITS.title_length)},
                    }
                    for c in choices
                ]
            }
            interactive = {"type": "button", "body": {"text": body}, "action": action}
        else:
            rows = [{"id": c.payload[:ID_LENGTH], "title": shorten(c.title, LIMITS.menu_title_length)} for c in choices]
            action = {
                "button": shorten(file_response_text("utter_channel_list_button"), LIMITS.title_length),
                "sections": [{"rows": rows}],
            }
            interactive = {"type": "list", "body": {"text": body}, "action": action}
        await self._send(recipient_id, {"type": "interactive", "interactive": interactive})


class WhatsAppInput(MetaWebhookInput):
    """Webhook at /webhooks/whatsapp/webhook."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self) -> None:
        super().__init__(whatsapp_settings())

    def output(self) -> WhatsAppOutput:
        return WhatsAppOutput(self.settings, self.memory)

    def incoming(self, payload: Dict[str, Any]) -> Iterable[Incoming]:
        for entry in payload["entry"]:
            for change in entry.get("changes") or []:
                # Status callbacks (sent, delivered, read) carry no "messages": nothing to answer.
                for message in (change.get("value") or {}).get("messages") or []:
                    yield Incoming(str(message["from"]), message.get("id"), _text(message), _media_id(message))

    def download(self, attachment: str) -> Download:
        async def fetch() -> bytes:
            if not MEDIA_ID.fullmatch(attachment):
                raise MediaUnavailable("not a media id")
            # The Graph API describes the media (a short-lived URL, its size); the URL wants the same token.
            headers = {"Authorization": f"Bearer {self.settings.access_token}"}
            described = await json_of(f"{self.settings.graph_api_url}/{attachment}", headers)
            if not isinstance(described, dict) or not isinstance(described.get("url"), str):
                raise MediaUnavailable("no URL")
            if _size(described.get("file_size")) > MAX_FILE_BYTES:
                raise MediaTooLarge()
            return await download(described["url"], headers=headers)

        return fetch


def _size(file_size: Any) -> int:
    """The size the Graph API announces, in bytes; MediaUnavailable when it is no number."""
    try:
        return int(file_size or 0)
    except (TypeError, ValueError, OverflowError) as error:  # OverflowError: JSON's Infinity
        raise MediaUnavailable("file size") from error


def _media_id(message: Dict[str, Any]) -> Optional[str]:
    """The media id of a document or a photo; a voice note, a video or a sticker is not read."""
    kind = message.get("type")
    if kind not in ("document", "image"):
        return None
    media = message.get(kind) or {}
    return str(media["id"]) if media.get("id") else None


def _text(message: Dict[str, Any]):
    kind = message.get("type")
    if kind == "text":
        return (message.get("text") or {}).get("body") or ""
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return reply.get("id") or reply.get("title") or ""
    if kind == "button":  # a template's quick-reply button
        button = message.get("button") or {}
        return button.get("payload") or button.get("text") or ""
    return None
