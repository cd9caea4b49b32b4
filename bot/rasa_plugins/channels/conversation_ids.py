"""Conversation ids that say which channel they belong to, derived on the server.

Every channel keeps its conversations in the one tracker store. An id a client could choose must
never name another channel's conversation: a REST "sender" equal to someone's WhatsApp number would
otherwise read and change that person's conversation. So the messaging channels prefix the
platform's id with their own name and a colon ("whatsapp:15145550199", "messenger:<page-scoped id>";
Twilio's own ids already read "whatsapp:+15145550199"), and the web's REST channel refuses any
sender holding a colon.
"""

from __future__ import annotations

from typing import Any

from bot.rasa_plugins.channels.limits import is_sender

SEPARATOR = ":"


def conversation_id(channel: str, platform_id: str) -> str:
    """The conversation of `platform_id` on `channel`, which no web sender can name."""
    return f"{channel}{SEPARATOR}{platform_id}"


def platform_id(channel: str, conversation: str) -> str:
    """The platform's own id again, to address the person on the platform."""
    prefix = channel + SEPARATOR
    return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation


def is_web_sender(value: Any) -> bool:
    """A sender the web may name: a valid sender id with no channel prefix."""
    return is_sender(value) and SEPARATOR not in value
