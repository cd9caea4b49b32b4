"""Questions about the terms: one intent per term (faq_scg, faq_ede...), each answered by its response."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

FAQ_INTENT_PREFIX = "faq_"


def is_faq(intent: Optional[str]) -> bool:
    return bool(intent) and intent.startswith(FAQ_INTENT_PREFIX)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        response = f"utter_faq_{intent.removeprefix(FAQ_INTENT_PREFIX)}"
        # A question about a term the domain has no answer for gets the default answer, never silence.
        dispatcher.utter_message(
            response=response if is_faq(intent) and response in domain["responses"] else "utter_default"
        )
        return []
