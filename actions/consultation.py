"""The end of the consultation request: store and announce the case, or store nothing."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.case_slots import case_from_tracker, is_choice, person_messages
from actions.consultation_form import CONSENT, FORM_SLOTS, GIVEN, REFERENCE, REFUSED, given, method_label
from actions.domain_text import response_text
from actions.handoff import case_summary, plan_for, utter_firm_contact
from bot.domain import clock
from bot.domain.consultation import Contact, new_case
from bot.domain.contact import ContactField, ContactMethod, display_phone
from bot.domain.dates import format_french_date
from bot.domain.deadlines import business_days_after
from bot.domain.decision_kind import decision_kind_from_intent
from bot.settings import firm_settings, notice_settings, pending_case_settings, privacy_settings
from bot.storage.case_records import StoredCase, case_payload
from bot.storage.conversations import redact_conversation
from bot.storage.database import shared_engine
from bot.storage.outbox import Notice, NoticeKind
from bot.storage.pending_cases import save_case_or_keep_pending, shared_pending_cases

logger = logging.getLogger(__name__)

CLEAR_FORM = [SlotSet(slot, None) for slot in FORM_SLOTS]


def _slot(tracker: Tracker, field: ContactField) -> Optional[str]:
    value = tracker.get_slot(field.value)
    return value if given(value) else None


def _description(tracker: Tracker) -> Optional[str]:
    """The person's own words about their situation: every message read as a cause of refusal or as a
    situation that is not one."""
    texts = [
        message["text"]
        for message in person_messages(tracker)
        if decision_kind_from_intent(((message.get("parse_data") or {}).get("intent") or {}).get("name"))
    ]
    return "\n".join(texts) or None


def _quoted(text: Optional[str]) -> str:
    """The person's words as a quotation: each line behind "> ", so that none passes for the
    assistant's own lines (a pasted "Référence : …" or a fake delimiter stays inside the quote)."""
    if not text:
        return "-"
    return "\n".join("> " + line for line in text.splitlines())


def _notices(domain: Dict[str, Any], tracker: Tracker, summary: List[str]):
    """The notices to queue with the case, for the ways the firm is set up to be told."""
    settings = notice_settings()

    def render(stored: StoredCase) -> List[Notice]:
        notices = []
        if settings.email_enabled:
            subject = "utter_notice_subject_urgent" if stored.urgent else "utter_notice_subject"
            body = response_text(domain, "utter_notice_body").format(
                channel=stored.channel,
                reference=stored.reference,
                name=stored.name,
                email=stored.email or "-",
                phone=display_phone(stored.phone) if stored.phone else "-",
                method=method_label(domain, stored.contact_method),
                moments=stored.contact_moments or "-",
                consent_version=stored.consent_version,
                consent_at=f"{stored.consent_at:%Y-%m-%d %H:%M} UTC",
                summary="\n".join(summary),
                description=_quoted(stored.description),
            )
            payload = {"subject": response_text(domain, subject).format(reference=stored.reference), "body": body}
            notices.append(Notice(NoticeKind.EMAIL, payload))
        if settings.webhook_url:
            notices.append(Notice(NoticeKind.WEBHOOK, case_payload(stored)))
        return notices

    return render


def _consent_time(tracker: Tracker) -> datetime:
    """When the consent was given: the time of the SlotSet that recorded it."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == CONSENT and event.get("value") == GIVEN:
            return datetime.fromtimestamp(event["timestamp"], timezone.utc)
    return datetime.now(timezone.utc)


class ActionSubmitConsultation(Action):
    def name(self) -> str:
        return "action_submit_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if tracker.get_slot(REFERENCE):
            dispatcher.utter_message(response="utter_consultation_already_sent", reference=tracker.get_slot(REFERENCE))
            return CLEAR_FORM
        plan = plan_for(tracker)
        case = case_from_tracker(tracker)
        summary = case_summary(domain, tracker, plan)
        if tracker.get_slot(CONSENT) != GIVEN:
            refused = tracker.get_slot(CONSENT) == REFUSED
            dispatcher.utter_message(response="utter_consent_refused" if refused else "utter_stopped")
            utter_firm_contact(dispatcher, summary)
            return CLEAR_FORM
        method = _slot(tracker, ContactField.METHOD)
        contact = Contact(
            name=_slot(tracker, ContactField.NAME),
            email=_slot(tracker, ContactField.EMAIL),
            phone=_slot(tracker, ContactField.PHONE),
            method=ContactMethod(method) if method else None,
            moments=_slot(tracker, ContactField.MOMENTS),
        )
        new = new_case(
            conversation_id=tracker.sender_id,
            channel=tracker.get_latest_input_channel() or "unknown",
            contact=contact,
            plan=plan,
            description=_description(tracker),
            consent_at=_consent_time(tracker),
            causes=[cause.value for cause in case.causes],
            program=tracker.get_slot("program"),
            authority=tracker.get_slot("authority"),
            decision_location=tracker.get_slot("decision_location"),
            decision_date=case.decision_date,
        )
        try:
            # A database that is down delays the case, kept on disk meanwhile; it does not lose it.
            # In a thread: the waits must not hold up the other conversations this server runs.
            stored = await asyncio.to_thread(
                save_case_or_keep_pending,
                shared_engine(),
                shared_pending_cases(),
                new,
                _notices(domain, tracker, summary),
                pending_case_settings().retry_seconds,
            )
        except (SQLAlchemyError, OSError) as error:
            # The error's type only: its text may quote the values being written.
            logger.error("case not stored: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_consultation_not_saved")
            utter_firm_contact(dispatcher, summary)
            return []
        settings = privacy_settings()
        days = settings.urgent_contact_business_days if stored.urgent else settings.contact_business_days
        firm = firm_settings()
        dispatcher.utter_message(
            response="utter_consultation_sent_urgent" if stored.urgent else "utter_consultation_sent",
            reference=stored.reference,
            firm_name=firm.name,
            method=method_label(domain, stored.contact_method),
            contact_by=format_french_date(business_days_after(clock.today(), days)),
        )
        if summary:
            dispatcher.utter_message(response="utter_consultation_summary", summary="\n".join(summary))
        dispatcher.utter_message(response="utter_consultation_your_rights", firm_email=firm.email)
        return CLEAR_FORM + [SlotSet(REFERENCE, stored.reference)]


# The answers that are personal details. How to be contacted ("phone", "email") is not: erasing those
# words would rewrite every message of the conversation that holds them.
PERSONAL_FIELDS = {field.value for field in ContactField} - {ContactField.METHOD.value}


def typed_contact_details(tracker: Tracker) -> List[str]:
    """The contact answers: each message that filled a contact question, and the value read from it."""
    details: List[str] = []
    last_text = None
    for event in tracker.events:
        if event.get("event") == "user":
            # A button chosen says nothing personal, and the stored text of one typed as its number is that
            # number ("2"), which must not be erased from every date of the conversation.
            last_text = None if is_choice(event) else event.get("text")
        elif event.get("event") == "slot" and event.get("name") in PERSONAL_FIELDS and given(event.get("value")):
            details += [last_text, event["value"]]
            if event["name"] == ContactField.PHONE.value:
                details.append(display_phone(event["value"]))
    return [detail for detail in details if detail]


class ActionCancelConsultation(Action):
    """Stops the request: nothing stored, and the details typed so far removed from the history."""

    def name(self) -> str:
        return "action_cancel_consultation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        try:
            redact_conversation(shared_engine(), tracker.sender_id, typed_contact_details(tracker))
        except SQLAlchemyError as error:
            logger.error("history not redacted: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_consultation_cancelled")
        utter_firm_contact(dispatcher, case_summary(domain, tracker, plan_for(tracker)))
        return CLEAR_FORM
