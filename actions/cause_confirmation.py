"""Understanding the causes: restate them for confirmation, or offer choices instead of guessing."""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.case_slots import causes_slot
from actions.domain_text import cause_buttons, causes_as_list, response_text
from bot.case import RefusalCause, causes_from_intent, normalize_causes

MAX_CHOICES = 3
# Only the head of the ranking is considered, and only above this: further down is noise.
MIN_CHOICE_CONFIDENCE = 0.1
FALLBACK_INTENT = "nlu_fallback"
# "mon test de langue a expiré" often splits between missing_documents and a pair holding it:
# when the close candidates share a cause and together are this likely, that cause is restated.
SHARED_CAUSE_CONFIDENCE = 0.6


# Two causes are restated only when the model prefers the pair clearly over one of its causes
# alone: "mon test de langue a expiré" otherwise came out as a document and an officer's error.
PAIR_MARGIN = 0.5


def _latest_causes(tracker: Tracker) -> Tuple[RefusalCause, ...]:
    message = tracker.latest_message or {}
    causes = causes_from_intent((message.get("intent") or {}).get("name"))
    if len(causes) < 2:
        return causes
    ranking = message.get("intent_ranking") or []
    pair_confidence = (message.get("intent") or {}).get("confidence", 0)
    for candidate in ranking:
        single = causes_from_intent(candidate.get("name"))
        if len(single) == 1 and single[0] in causes:
            if pair_confidence - candidate.get("confidence", 0) < PAIR_MARGIN:
                return single
            break
    return causes


class ActionRestateCauses(Action):
    def name(self) -> str:
        return "action_restate_causes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        # After a disambiguation the latest intent is nlu_fallback and the slot holds the causes.
        causes = _latest_causes(tracker) or causes_slot(tracker)
        if not causes:
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(response="utter_restate_causes", causes=causes_as_list(domain, causes))
        return [SlotSet("refusal_causes", [cause.value for cause in causes])]


class ActionOfferCauses(Action):
    """Every cause as a choice, when the restatement was wrong or the person does not know how to say it."""

    def name(self) -> str:
        return "action_offer_causes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        choices = [(cause,) for cause in RefusalCause]
        dispatcher.utter_message(response="utter_offer_causes", buttons=cause_buttons(domain, choices))
        return [SlotSet("refusal_causes", None)]


class ActionDisambiguateCause(Action):
    """Low confidence or two close causes: the best two or three as buttons, plus 'Autre chose'."""

    def name(self) -> str:
        return "action_disambiguate_cause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        ranking = [
            candidate
            for candidate in (tracker.latest_message or {}).get("intent_ranking") or []
            if candidate.get("name") != FALLBACK_INTENT
        ]
        choices: List[Tuple[RefusalCause, ...]] = []
        likelihood = 0.0
        for candidate in ranking[:MAX_CHOICES]:
            causes = causes_from_intent(candidate.get("name"))
            if causes and candidate.get("confidence", 0) >= MIN_CHOICE_CONFIDENCE and causes not in choices:
                choices.append(causes)
                likelihood += candidate["confidence"]
        if not choices:
            dispatcher.utter_message(response="utter_default")
            return []
        shared = normalize_causes(set(choices[0]).intersection(*choices[1:]))
        if len(choices) > 1 and shared and likelihood >= SHARED_CAUSE_CONFIDENCE:
            return [
                SlotSet("refusal_causes", [cause.value for cause in shared]),
                FollowupAction("action_restate_causes"),
            ]
        buttons = cause_buttons(domain, choices)
        buttons.append({"title": response_text(domain, "utter_button_other_cause"), "payload": "/deny"})
        dispatcher.utter_message(response="utter_ask_which_cause", buttons=buttons)
        return []
