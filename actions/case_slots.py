"""The Case the person described, read from the tracker's slots."""

from __future__ import annotations

from datetime import date
from typing import Any, Dict, List, Optional, Tuple, Type, TypeVar

from rasa_sdk import Tracker

from bot.domain.case import (
    Authority,
    Case,
    DecisionLocation,
    FairnessLetter,
    Program,
    RefusalCause,
    normalize_causes,
)

UNKNOWN = "unknown"
E = TypeVar("E")


def enum_slot(tracker: Tracker, slot: str, enum: Type[E]) -> Optional[E]:
    """The slot as its Enum, or None when empty or not a valid value."""
    try:
        return enum(tracker.get_slot(slot))
    except ValueError:
        return None


def causes_slot(tracker: Tracker) -> Tuple[RefusalCause, ...]:
    values: Any = tracker.get_slot("refusal_causes") or []
    known = {cause.value for cause in RefusalCause}
    return normalize_causes(RefusalCause(value) for value in values if value in known)


def decision_date_slot(tracker: Tracker) -> Optional[date]:
    value = tracker.get_slot("decision_date")
    if not value or value == UNKNOWN:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def person_messages(tracker: Tracker) -> List[Dict[str, Any]]:
    """What the person typed since the last restart, button choices left out: Rasa sends actions every
    event, including those of a conversation "recommencer" has forgotten."""
    messages: List[Dict[str, Any]] = []
    for event in tracker.events:
        if event.get("event") == "restart":
            messages = []
        elif event.get("event") == "user" and event.get("text") and not is_choice(event):
            messages.append(event)
    return messages


def is_choice(event: Dict[str, Any]) -> bool:
    """A button chosen: clicked (its payload is the text) or typed as its number or title (the NLU read it as
    the payload, bot/rasa_plugins/typed_choice.py)."""
    read = str((event.get("parse_data") or {}).get("text") or "")
    return str(event.get("text") or "").startswith("/") or read.startswith("/")


def case_from_tracker(tracker: Tracker) -> Case:
    return Case(
        causes=causes_slot(tracker),
        program=enum_slot(tracker, "program", Program) or Program.UNKNOWN,
        authority=enum_slot(tracker, "authority", Authority) or Authority.UNKNOWN,
        location=enum_slot(tracker, "decision_location", DecisionLocation) or DecisionLocation.UNKNOWN,
        decision_date=decision_date_slot(tracker),
        fairness_letter=enum_slot(tracker, "fairness_letter", FairnessLetter) or FairnessLetter.UNKNOWN,
    )
