"""Every conversation opens with who the assistant is, its limits and a privacy note."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import firm_settings


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # Who, what for, its limits, then the article's question: on a first message, after a
        # restart, and when a channel opens the conversation before the person types.
        dispatcher.utter_message(response="utter_intro", firm_name=firm_settings().name)
        dispatcher.utter_message(response="utter_ask_situation")
        return [SessionStarted(), ActionExecuted("action_listen")]
