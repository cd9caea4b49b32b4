"""Decision or not: a situation that is not a refusal gets what to do next, with no remedy and no deadline."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import utter_firm_contact
from bot.domain.dates import format_french_date
from bot.domain.decision_kind import DecisionKind, Urgency, decision_kind_from_intent, guidance_for


class ActionExplainDecisionKind(Action):
    def name(self) -> str:
        return "action_explain_decision_kind"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        kind = decision_kind_from_intent((tracker.latest_message.get("intent") or {}).get("name"))
        if kind is None or kind is DecisionKind.REFUSED:
            return []
        guidance = guidance_for(kind)
        dispatcher.utter_message(
            response=f"utter_decision_kind_{kind.value}",
            source_url=guidance.source,
            reviewed_on=format_french_date(guidance.reviewed_on, weekday=False),
        )
        if guidance.urgency is Urgency.ANSWER_FIRST:
            dispatcher.utter_message(response="utter_decision_kind_answer_first")
        elif guidance.in_scope:
            dispatcher.utter_message(response="utter_decision_kind_offer_consultation")
        else:
            utter_firm_contact(dispatcher, [])
        events: List[EventType] = [SlotSet("decision_kind", kind.value)]
        if not guidance.court_deadline:
            # "En fait c'est une lettre d'équité" after a refusal was described: no remedy or deadline is
            # worked out from causes and a date that no longer describe a decision.
            events += [SlotSet("refusal_causes", None), SlotSet("decision_date", None)]
        return events
