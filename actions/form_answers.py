"""What both forms share: a typed answer is taken as it is, so that validation understands or re-asks it."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Collection, Dict, List, Optional

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.faq import is_faq


def interrupts(intent: Optional[str], interruptions: Collection[str]) -> bool:
    """Whether a message leaves the question aside: one of the form's interruptions, or a question about a
    term, which the rules answer before the form asks again."""
    return intent in interruptions or is_faq(intent)


def raw_answer(
    tracker: Tracker, slot: str, form_slots: Collection[str], interruptions: Collection[str]
) -> Dict[str, Any]:
    """The text of an answer no mapping understood.

    Nothing is taken when a mapping already filled one of the form's slots this turn or when the
    person changed the subject: the form then steps aside for the rules.
    """
    if tracker.get_slot("requested_slot") != slot:
        return {}
    if any(filled in form_slots for filled in tracker.slots_to_validate()):
        return {}
    message = tracker.latest_message or {}
    if interrupts((message.get("intent") or {}).get("name"), interruptions):
        return {}
    text = message.get("text") or ""
    # A button's payload ("/affirm") is a choice, never words to keep.
    if text.startswith("/"):
        return {}
    return {slot: text}


def canonical_or_reask(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: Any, allowed, entity: Optional[str]
) -> Dict[str, Any]:
    """The first canonical value among the slot's value and the message's entities of its kind.

    "ici au Canada" yields two location entities, "ici" and "in_canada": the second answers.
    Nothing canonical: `utter_invalid_<slot>` asks again.
    """
    allowed_values = {member.value for member in allowed}
    candidates = list(value) if isinstance(value, list) else [value]
    candidates += [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]
    for candidate in candidates:
        if candidate in allowed_values:
            return {slot: candidate}
    dispatcher.utter_message(response=f"utter_invalid_{slot}")
    return {slot: None}


class TypedAnswerForm(FormValidationAction):
    """A form whose question being asked takes the message's text when no mapping filled it.

    Subclasses name their slots and the intents that leave a question aside.
    """

    form_slots: Collection[str] = ()
    interruptions: Collection[str] = ()

    @abstractmethod
    def name(self) -> str:
        """The validation action's name: validate_<form>."""

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested not in await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain):
            return []
        answer = raw_answer(tracker, requested, self.form_slots, self.interruptions)
        # Validation reads the slots from the tracker: make the answer visible to it.
        tracker.slots.update(answer)
        return [SlotSet(slot, value) for slot, value in answer.items()]
