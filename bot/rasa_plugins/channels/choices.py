"""Choices (buttons) shown the way each platform allows, and a typed number taken as a choice.

Platforms cap how many buttons a message may carry and how long their titles may be. Past the
cap a message degrades to numbered lines, and the person answers with the number.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from bot.rasa_plugins.shared_state import SharedRedis

ELLIPSIS = "…"


@dataclass(frozen=True)
class Choice:
    title: str
    payload: str


class Layout(str, Enum):
    BUTTONS = "buttons"  # Messenger's button template, WhatsApp's reply buttons
    MENU = "menu"  # Messenger's quick replies, WhatsApp's list message
    NUMBERED = "numbered"  # plain text with one numbered line per choice


@dataclass(frozen=True)
class Limits:
    """What one platform allows in a message with choices."""

    max_buttons: int
    max_menu: int
    title_length: int
    menu_title_length: int
    text_length: int


def choices_from_buttons(buttons: Iterable[Dict[str, Any]]) -> List[Choice]:
    return [Choice(str(b.get("title") or ""), str(b.get("payload") or b.get("title") or "")) for b in buttons]


def shorten(title: str, length: int) -> str:
    """The title within `length` characters, cut at a word when possible."""
    if len(title) <= length:
        return title
    cut = title[: length - 1]
    if cut.count("(") > cut.count(")") and cut.index("(") >= 2:
        # "PTQF (travailleurs…" reads worse than the name alone: the aside goes whole.
        return cut[: cut.rindex("(")].rstrip()
    if " " in cut.strip():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:(") + ELLIPSIS


def layout_for(choices: Sequence[Choice], limits: Limits) -> Layout:
    if 0 < len(choices) <= limits.max_buttons:
        return Layout.BUTTONS
    if len(choices) <= limits.max_menu:
        return Layout.MENU
    return Layout.NUMBERED


def numbered(text: str, choices: Sequence[Choice]) -> str:
    lines = [f"{number}. {choice.title}" for number, choice in enumerate(choices, start=1)]
    return "\n".join([text] + lines) if text else "\n".join(lines)


def split_text(text: str, length: int) -> List[str]:
    """Pieces of at most `length` characters, cut between lines or words where possible."""
    pieces = []
    while len(text) > length:
        cut = text.rfind("\n", 0, length)
        if cut <= 0:
            cut = text.rfind(" ", 0, length)
        if cut <= 0:
            cut = length
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return pieces + ([text] if text else [])


_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


def choice_named(text: Optional[str], offered: Sequence[Choice]) -> Optional[Choice]:
    """The choice a typed reply names, by its number ("2", "2.", "2)") or its whole title; None otherwise."""
    match = _NUMBER.match(text or "")
    if match and 1 <= int(match.group(1)) <= len(offered):
        return offered[int(match.group(1)) - 1]
    typed = (text or "").strip().lower()
    return next((choice for choice in offered if typed and choice.title.strip().lower() == typed), None)


class _Bounded:
    """A process's own memory: used when Redis is down, and dropping the oldest entries past `size`."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        return self._items.get(key)

    def put(self, key: str, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class ChoiceMemory:
    """The choices last offered to each person, so that a reply "2" means the second one.

    Kept in Redis for a day, so that the reply may reach any replica; in the process when Redis is
    down. A person whose choices were forgotten just gets their number read as text, which the
    assistant understands or asks again.
    """

    KEEP_SECONDS = 24 * 3600

    def __init__(self, size: int = 10_000, shared: Optional[SharedRedis] = None):
        self._local = _Bounded(size)
        self._shared = shared

    def _key(self, sender_id: str) -> str:
        return self._shared.key("choices", sender_id)

    def remember(self, sender_id: str, choices: Sequence[Choice]) -> None:
        offered = [[choice.title, choice.payload] for choice in choices]
        self._local.put(sender_id, offered)
        if self._shared:
            self._shared.run(lambda r: r.set(self._key(sender_id), json.dumps(offered), ex=self.KEEP_SECONDS))

    def _offered(self, sender_id: str) -> Tuple[Choice, ...]:
        stored = self._shared.run(lambda r: r.get(self._key(sender_id))) if self._shared else None
        offered = json.loads(stored) if stored else self._local.get(sender_id) or []
        return tuple(Choice(title, payload) for title, payload in offered)

    def resolve(self, sender_id: str, text: str) -> str:
        """The payload of the choice the reply names by number or title; otherwise the text itself."""
        chosen = choice_named(text, self._offered(sender_id))
        return chosen.payload if chosen else text


class SeenMessages:
    """Message ids already handled, so that a platform's redelivery is not answered twice.

    In Redis (SET NX: one replica wins a redelivery race), for a day; in the process when Redis is down.
    """

    KEEP_SECONDS = 24 * 3600

    def __init__(self, size: int = 50_000, shared: Optional[SharedRedis] = None):
        self._local = _Bounded(size)
        self._shared = shared

    def first_time(self, message_id: Optional[str]) -> bool:
        if not message_id:
            return True
        if self._shared:
            # SET NX answers None when the key exists: made a bool here, since None means Redis is down.
            first = self._shared.run(
                lambda r: bool(r.set(self._shared.key("seen", message_id), 1, nx=True, ex=self.KEEP_SECONDS))
            )
            if first is not None:
                return first
        if self._local.get(message_id):
            return False
        self._local.put(message_id, True)
        return True
