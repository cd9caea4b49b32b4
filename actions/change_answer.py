"""Changing an earlier answer: choose which one, then the form asks it again."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consultation_form import CONFIRMED, change_buttons
from actions.domain_text import response_text
from bot.domain.contact import ContactField, contact_fields_to_ask_again
from bot.domain.triage import Question, questions_to_ask_again

# The synonym mapper is blind to the entity type: "courriel" may come as the contact method's value.
CONTACT_ALIASES = {"email": ContactField.EMAIL, "phone": ContactField.PHONE, "whatsapp": ContactField.METHOD}


def _contact_field(value) -> Optional[ContactField]:
    if value in CONTACT_ALIASES:
        return CONTACT_ALIASES[value]
    try:
        return ContactField(value)
    except ValueError:
        return None


def _in_consultation(tracker: Tracker) -> bool:
    return (tracker.active_loop or {}).get("name") == "consultation_form"


class ActionAskAnswerToChange(Action):
    def name(self) -> str:
        return "action_ask_answer_to_change"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if _in_consultation(tracker):
            dispatcher.utter_message(response="utter_ask_contact_to_change", buttons=change_buttons(domain, tracker))
            return []
        answered = [question for question in Question if tracker.get_slot(question.value) is not None]
        if not answered:
            dispatcher.utter_message(response="utter_nothing_to_change")
            return []
        buttons = [
            {
                "title": response_text(domain, f"utter_answer_label_{question.value}"),
                "payload": '/change_answer{"answer_to_change":"%s"}' % question.value,
            }
            for question in answered
        ]
        dispatcher.utter_message(response="utter_ask_answer_to_change", buttons=buttons)
        return []


class ActionChangeAnswer(Action):
    """Empties the chosen answer so that the form that runs next asks it again."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        choice = tracker.get_slot("answer_to_change")
        if _in_consultation(tracker):
            # Only contact answers can change here; the situation was settled before the request.
            field = _contact_field(choice)
            if field is None:
                return [SlotSet("answer_to_change", None)]
            events = [SlotSet(f.value, None) for f in contact_fields_to_ask_again(field)]
            return events + [SlotSet(CONFIRMED, None), SlotSet("answer_to_change", None)]
        try:
            question = Question(choice)
        except ValueError:
            return [SlotSet("answer_to_change", None)]
        return [SlotSet(q.value, None) for q in questions_to_ask_again(question)] + [SlotSet("answer_to_change", None)]
