"""The consultation request: consent first, then the contact details, then a recap to confirm."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.domain_text import response_text
from actions.form_answers import TypedAnswerForm, canonical_or_reask, interrupts
from bot.domain.contact import (
    NONE,
    ContactField,
    ContactMethod,
    contact_questions,
    display_phone,
    parse_email,
    parse_moments,
    parse_name,
    parse_phone,
)
from bot.settings import firm_settings, privacy_settings

CONSENT = "consultation_consent"
CONFIRMED = "consultation_confirmed"
REFERENCE = "consultation_reference"
GIVEN, REFUSED = "given", "refused"
FORM_SLOTS = [CONSENT] + [field.value for field in ContactField] + [CONFIRMED]
# The questions whose answer may carry the person's other details too.
CONTACT_DETAILS = {ContactField.NAME.value, ContactField.EMAIL.value, ContactField.PHONE.value}
# Only these leave a contact question aside: a name or a time of day can look like anything else.
INTERRUPTIONS = {"cancel", "change_answer", "restart", "request_human"}
# A message the NLU is sure means one of these is an answer to something else, not a name.
NOT_A_NAME = {"affirm", "deny", "dont_know", "skip", "request_consultation", "thank", "greet", "goodbye"}
SURE = 0.8


def given(value: Optional[str]) -> bool:
    return bool(value) and value != NONE


def best_intent(tracker: Tracker) -> Optional[str]:
    """The most likely intent, even when the fallback classifier was not sure enough to keep it."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    return next((i.get("name") for i in ranking if i.get("name") != "nlu_fallback"), None)


def yes_or_no(tracker: Tracker, value: Any, yes: str, no: str) -> Optional[str]:
    """A yes/no answer from its mapping, or from the best intent of a message the NLU hesitated on."""
    if value in (yes, no):
        return value
    return {"affirm": yes, "deny": no}.get(best_intent(tracker))


def method_label(domain: Dict[str, Any], method: str) -> str:
    """ "par courriel", "par téléphone", "par WhatsApp"."""
    return response_text(domain, f"utter_value_contact_method_{method}")


def recap_lines(domain: Dict[str, Any], tracker: Tracker) -> List[str]:
    """One line per contact answer actually given, as it will be sent."""
    lines = []
    for field in ContactField:
        value = tracker.get_slot(field.value)
        if not given(value):
            continue
        if field is ContactField.PHONE:
            value = display_phone(value)
        elif field is ContactField.METHOD:
            value = method_label(domain, value)
        lines.append("- " + response_text(domain, f"utter_recap_{field.value}").format(value=value))
    return lines


def change_buttons(domain: Dict[str, Any], tracker: Tracker) -> List[Dict[str, str]]:
    """One button per answer given, and one to give up the request."""
    cancel = {"title": response_text(domain, "utter_button_cancel_consultation"), "payload": "/cancel"}
    return [
        {
            "title": response_text(domain, f"utter_answer_label_{field.value}"),
            "payload": '/change_answer{"answer_to_change":"%s"}' % field.value,
        }
        for field in ContactField
        if given(tracker.get_slot(field.value))
    ] + [cancel]


class ValidateConsultationForm(TypedAnswerForm):
    form_slots = FORM_SLOTS
    interruptions = INTERRUPTIONS

    def name(self) -> str:
        return "validate_consultation_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Also keeps an e-mail or a phone number given with another answer ("Awa Diop, 514 555 0199")."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        requested = tracker.get_slot("requested_slot")
        if tracker.get_slot(CONSENT) != GIVEN or requested not in CONTACT_DETAILS:
            return events
        message = tracker.latest_message or {}
        if interrupts((message.get("intent") or {}).get("name"), INTERRUPTIONS):
            return events
        text = message.get("text") or ""
        email, phone = parse_email(text), parse_phone(text)
        found: Dict[str, Any] = {}
        if email and requested != ContactField.EMAIL.value and not tracker.get_slot(ContactField.EMAIL.value):
            found[ContactField.EMAIL.value] = email
        if phone and requested != ContactField.PHONE.value and not tracker.get_slot(ContactField.PHONE.value):
            found[ContactField.PHONE.value] = phone
        if requested == ContactField.EMAIL.value and phone and not email:
            found[ContactField.EMAIL.value] = NONE  # a phone number given instead of an e-mail
        tracker.slots.update(found)
        return events + [SlotSet(slot, value) for slot, value in found.items()]

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        if tracker.get_slot(REFERENCE):
            return []
        if tracker.get_slot(CONSENT) == REFUSED:
            return [CONSENT]
        questions = contact_questions(
            email_given=given(tracker.get_slot(ContactField.EMAIL.value)),
            phone_given=given(tracker.get_slot(ContactField.PHONE.value)),
        )
        return [CONSENT] + [field.value for field in questions] + [CONFIRMED]

    async def validate_consultation_consent(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        answer = yes_or_no(tracker, value, GIVEN, REFUSED)
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_consultation_consent")
        return {CONSENT: answer}

    @staticmethod
    def _read(dispatcher, field: ContactField, value: str, parse: Callable[[str], Optional[str]]) -> Dict[str, Any]:
        """A skipped answer, the value read from the text, or a re-ask with an example."""
        if value == NONE:
            return {field.value: NONE}
        parsed = parse(value)
        if parsed is None:
            dispatcher.utter_message(response=f"utter_invalid_{field.value}")
        return {field.value: parsed}

    async def validate_contact_name(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        intent = (tracker.latest_message or {}).get("intent") or {}
        if intent.get("name") in NOT_A_NAME and intent.get("confidence", 0) >= SURE:
            dispatcher.utter_message(response="utter_invalid_contact_name")
            return {ContactField.NAME.value: None}
        return self._read(dispatcher, ContactField.NAME, value, parse_name)

    async def validate_contact_email(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._read(dispatcher, ContactField.EMAIL, value, parse_email)

    async def validate_contact_phone(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        # No digit at all ("je n'ai pas de téléphone") is no number, not a mistyped one.
        if value == NONE or not any(character.isdigit() for character in value):
            if given(tracker.get_slot(ContactField.EMAIL.value)):
                return {ContactField.PHONE.value: NONE}
            dispatcher.utter_message(response="utter_contact_needed")
            return {ContactField.PHONE.value: None}
        return self._read(dispatcher, ContactField.PHONE, value, parse_phone)

    async def validate_contact_method(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        slot = ContactField.METHOD.value
        return canonical_or_reask(dispatcher, tracker, slot, value, ContactMethod, entity="contact_method")

    async def validate_contact_moments(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._read(dispatcher, ContactField.MOMENTS, value, parse_moments)

    async def validate_consultation_confirmed(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        # "no" is not an answer to keep: the question comes back as "what to correct?".
        answer = yes_or_no(tracker, value, "yes", "no")
        if answer is None:
            dispatcher.utter_message(response="utter_invalid_consultation_confirmed")
        return {CONFIRMED: "yes" if answer == "yes" else None}


class ActionAskConsultationConsent(Action):
    def name(self) -> str:
        return "action_ask_consultation_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        firm = firm_settings()
        dispatcher.utter_message(
            response="utter_ask_consultation_consent",
            firm_name=firm.name,
            firm_email=firm.email,
            retention_days=privacy_settings().retention_days,
        )
        return []


class ActionAskConsultationConfirmed(Action):
    """The recap to confirm; after a "no", the answers that can be corrected."""

    def name(self) -> str:
        return "action_ask_consultation_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if best_intent(tracker) == "deny":
            dispatcher.utter_message(response="utter_ask_contact_to_change", buttons=change_buttons(domain, tracker))
            return []
        dispatcher.utter_message(
            response="utter_ask_consultation_confirmed",
            firm_name=firm_settings().name,
            recap="\n".join(recap_lines(domain, tracker)),
        )
        return []
