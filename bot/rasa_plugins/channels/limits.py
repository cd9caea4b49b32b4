"""What every channel accepts from outside, checked before anything reaches Rasa."""

from __future__ import annotations

from typing import Any

# Over this, a request is no person's message and no platform's delivery: refused before parsing.
MAX_BODY_BYTES = 1_000_000
# A long refusal letter pasted whole fits; much longer texts exhaust the NLU model's memory.
MAX_MESSAGE_LENGTH = 5_000
MAX_SENDER_LENGTH = 255  # the tracker store's sender_id column


def is_text(value: Any) -> bool:
    """A str that Rasa can tokenize and store.

    JSON's "\\ud800" escape decodes to a lone surrogate, which spaCy, Redis and the database
    cannot encode: such a text is refused here rather than failing inside Rasa.
    """
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_sender(value: Any) -> bool:
    """A sender id the tracker store can keep: a text, not blank, within its column."""
    return is_text(value) and bool(value.strip()) and len(value) <= MAX_SENDER_LENGTH
