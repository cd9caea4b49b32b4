"""A greeting: answered, unless the opening has just asked where the person stands."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

OPENING_QUESTION = "utter_ask_situation"


def last_response(tracker: Tracker):
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # "Bonjour" as a first message: the opening already greeted and asked the question.
        if last_response(tracker) != OPENING_QUESTION:
            dispatcher.utter_message(response="utter_greet")
        return []
