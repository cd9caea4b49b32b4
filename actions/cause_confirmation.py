"""Understanding the causes: restate them for confirmation, or offer choices instead of guessing."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case_slots import causes_slot
from actions.domain_text import cause_buttons, causes_as_list, response_text
from bot.domain.case import RefusalCause
from bot.domain.cause_reading import cause_choices, causes_restated
from bot.domain.letter_provisions import LetterKind, in_french
from bot.domain.letters import LETTER_FACTS_KEY, LetterReading


def say_what_the_letter_says(dispatcher: CollectingDispatcher, message: Dict[str, Any]) -> None:
    """A refusal letter pasted or sent: its own sentences on the grounds, and the provisions it cites, before the
    causes. The NLU put what it read in the message (letter_reader.py)."""
    reading = LetterReading.from_facts(message.get(LETTER_FACTS_KEY))
    if reading is None or reading.kind is not LetterKind.REFUSAL:
        return
    if reading.quotes:
        quotes = "\n".join(f"«\u00a0{quote}\u00a0»" for quote in reading.quotes)
        dispatcher.utter_message(response="utter_letter_grounds", quotes=quotes)
    else:
        dispatcher.utter_message(response="utter_letter_no_grounds")
    if reading.provisions:
        cited = " ; ".join(in_french(citation) for citation in reading.provisions)
        dispatcher.utter_message(response="utter_letter_provisions", provisions=cited)


class ActionRestateCauses(Action):
    def name(self) -> str:
        return "action_restate_causes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        # After a disambiguation the latest intent is nlu_fallback and the slot holds the causes.
        causes = causes_restated(tracker.latest_message or {}) or causes_slot(tracker)
        if not causes:
            dispatcher.utter_message(response="utter_default")
            return []
        say_what_the_letter_says(dispatcher, tracker.latest_message or {})
        dispatcher.utter_message(response="utter_restate_causes", causes=causes_as_list(domain, causes))
        # A refusal described now replaces a situation read earlier as something else ("no invitation").
        return [SlotSet("refusal_causes", [cause.value for cause in causes]), SlotSet("decision_kind", None)]


class ActionOfferCauses(Action):
    """Every cause as a choice, when the restatement was wrong or the person does not know how to say it."""

    def name(self) -> str:
        return "action_offer_causes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        choices = [(cause,) for cause in RefusalCause]
        dispatcher.utter_message(response="utter_offer_causes", buttons=cause_buttons(domain, choices))
        return [SlotSet("refusal_causes", None)]


class ActionDisambiguateCause(Action):
    """Low confidence or two close causes: the best two or three as buttons, plus 'Autre chose'."""

    def name(self) -> str:
        return "action_disambiguate_cause"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        reading = cause_choices((tracker.latest_message or {}).get("intent_ranking") or [])
        if reading.shared:
            return [
                SlotSet("refusal_causes", [cause.value for cause in reading.shared]),
                FollowupAction("action_restate_causes"),
            ]
        if not reading.choices:
            dispatcher.utter_message(response="utter_default")
            return []
        buttons = cause_buttons(domain, reading.choices)
        buttons.append({"title": response_text(domain, "utter_button_other_cause"), "payload": "/deny"})
        dispatcher.utter_message(response="utter_ask_which_cause", buttons=buttons)
        return []
