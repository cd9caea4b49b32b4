"""Changing an earlier answer: choose which one, then the form asks it again."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.domain_text import response_text
from bot.triage import Question

# Answers that only make sense given another one are asked again with it.
DEPENDENT_ANSWERS = {
    Question.PROGRAM: (Question.AUTHORITY,),
    Question.AUTHORITY: (Question.PROGRAM,),
    Question.FAIRNESS_LETTER: (),
    Question.DECISION_LOCATION: (),
    Question.DECISION_DATE: (),
}


class ActionAskAnswerToChange(Action):
    def name(self) -> str:
        return "action_ask_answer_to_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
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
    """Empties the chosen answer so that triage_form, which runs next, asks it again."""

    def name(self) -> str:
        return "action_change_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        try:
            question = Question(tracker.get_slot("answer_to_change"))
        except ValueError:
            return [SlotSet("answer_to_change", None)]
        cleared = (question,) + DEPENDENT_ANSWERS[question]
        return [SlotSet(q.value, None) for q in cleared] + [SlotSet("answer_to_change", None)]
