"""The situation questions: asks only what the remedy engine still needs, validates each answer."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_slots import UNKNOWN, causes_slot, enum_slot, person_messages
from actions.form_answers import TypedAnswerForm, canonical_or_reask
from bot.domain import clock
from bot.domain.case import Authority, DecisionLocation, FairnessLetter, Program
from bot.domain.dates import ParsedDate, Telling, decision_date_in_story, format_french_date, parse_decision_date
from bot.domain.decision_kind import not_refused_intents
from bot.domain.letter_provisions import LetterKind
from bot.domain.letters import LETTER_FACTS_KEY, LetterReading
from bot.domain.triage import Question, authority_implied_by, questions_to_ask, tells_where_the_person_is

# Messages that leave the question aside; rules answer them and the form asks again.
INTERRUPTIONS = {
    "request_human",
    "request_consultation",
    "restart",
    "out_of_scope",
    "other_language",
    "change_answer",
    "cancel",
    "goodbye",
    "thank",
    "greet",
    # "En fait c'est une lettre d'équité": a rule explains the situation and ends the questions.
    *not_refused_intents(),
}
QUESTION_SLOTS = [question.value for question in Question]


# The entity that answers each question, where one does.
ANSWER_ENTITIES = {"program": "program", "authority": "authority", "decision_location": "location"}


def _valid_or_reask(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: Any, allowed
) -> Dict[str, Any]:
    return canonical_or_reask(dispatcher, tracker, slot, value, allowed, ANSWER_ENTITIES.get(slot))


# A date from memory is said back, with a request to check it on the letter.
SAID_BACK = {Telling.RELATIVE: "utter_decision_date_relative", Telling.ROUGH: "utter_decision_date_approximate"}
SAID_BACK_IN_STORY = dict(SAID_BACK, **{Telling.EXACT: "utter_decision_date_in_story"})


def _decision_date_in_story(tracker: Tracker) -> Optional[ParsedDate]:
    """Only while the date was never set: a date the person corrected must not come back from their
    first message. An answer to the date question itself is the validation's to read."""
    if tracker.get_slot("requested_slot") == Question.DECISION_DATE.value:
        return None
    if any(event.get("event") == "slot" and event.get("name") == "decision_date" for event in tracker.events):
        return None
    return decision_date_in_story([message["text"] for message in person_messages(tracker)], clock.today())


def _letter_in(message: Dict[str, Any]) -> Optional[LetterReading]:
    return LetterReading.from_facts((message.get("parse_data") or {}).get(LETTER_FACTS_KEY))


def _refusal_letter(tracker: Tracker) -> Optional[LetterReading]:
    """The last refusal letter the person pasted or sent, if any, as the NLU read it (letter_reader.py)."""
    for message in reversed(person_messages(tracker)):
        reading = _letter_in(message)
        if reading is not None and reading.kind is LetterKind.REFUSAL:
            return reading
    return None


def _never_set(tracker: Tracker, slot: str) -> bool:
    """No value since the last restart: an answer or a correction is the person's, even when the letter says
    otherwise; a slot emptied (a new story, "recommencer") is not."""
    value_set = False
    for event in tracker.events:
        if event.get("event") == "restart":
            value_set = False
        elif event.get("event") == "slot" and event.get("name") == slot and event.get("value") is not None:
            value_set = True
    return not value_set


def facts_from_the_letter(dispatcher: CollectingDispatcher, tracker: Tracker, required: List[str]) -> List[EventType]:
    """The program, the office and the date a pasted letter gives, said back, so that they are not asked."""
    letter = _refusal_letter(tracker)
    if letter is None:
        return []
    events: List[EventType] = []
    if letter.program is not None and Question.PROGRAM.value in required and _never_set(tracker, "program"):
        dispatcher.utter_message(response=f"utter_program_in_letter_{letter.program.value}")
        # Validated as an answer would be: a federal program implies IRCC decided (validate_program).
        events.append(SlotSet("program", letter.program.value))
    wanted_location = Question.DECISION_LOCATION.value in required and _never_set(tracker, "decision_location")
    if letter.office is not None and wanted_location:
        where = letter.office.location.value
        dispatcher.utter_message(response=f"utter_decision_location_in_letter_{where}", office=letter.office.name)
        events.append(SlotSet("decision_location", where))
    wanted_date = Question.DECISION_DATE.value in required and _never_set(tracker, "decision_date")
    if letter.decision_date is not None and wanted_date:
        dispatcher.utter_message(
            response="utter_decision_date_in_letter", decision_date=format_french_date(letter.decision_date)
        )
        events.append(SlotSet("decision_date", letter.decision_date.isoformat()))
    return events


class ValidateTriageForm(TypedAnswerForm):
    form_slots = QUESTION_SLOTS
    interruptions = INTERRUPTIONS

    def name(self) -> str:
        return "validate_triage_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        questions = questions_to_ask(
            causes_slot(tracker),
            enum_slot(tracker, "program", Program),
            enum_slot(tracker, "authority", Authority),
            enum_slot(tracker, "fairness_letter", FairnessLetter),
            tuple(tracker.get_slot("document") or ()),
        )
        return [question.value for question in questions]

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        if tracker.get_slot("requested_slot") is None:
            # Before the first question: what a pasted letter says is said back, not asked.
            from_letter = facts_from_the_letter(dispatcher, tracker, required)
            events += from_letter
            told_slots = {event["name"] for event in from_letter}
            required = [slot for slot in required if slot not in told_slots]
        told = _decision_date_in_story(tracker) if Question.DECISION_DATE.value in required else None
        if told is None:
            return events
        # Said back, so that a wrong reading is seen and can be changed before the deadline is counted.
        dispatcher.utter_message(
            response=SAID_BACK_IN_STORY[told.telling], decision_date=format_french_date(told.value)
        )
        return events + [SlotSet(Question.DECISION_DATE.value, told.value.isoformat())]

    async def validate_program(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        result = _valid_or_reask(dispatcher, tracker, "program", value, Program)
        implied = authority_implied_by(Program(result["program"])) if result["program"] else None
        if implied is not None and not tracker.get_slot("authority"):
            result["authority"] = implied.value
        return result

    async def validate_authority(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        result = _valid_or_reask(dispatcher, tracker, "authority", value, Authority)
        if result["authority"] == Authority.UNKNOWN.value:
            dispatcher.utter_message(response="utter_authority_assumed_ircc")
        return result

    async def validate_fairness_letter(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return _valid_or_reask(dispatcher, tracker, "fairness_letter", value, FairnessLetter)

    async def validate_decision_location(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value not in (None, UNKNOWN) and tells_where_the_person_is(tracker.latest_message.get("text")):
            # Where the person lives is not where the matter arose: the shorter limit, and why.
            dispatcher.utter_message(response="utter_decision_location_is_the_office")
            return {"decision_location": DecisionLocation.UNKNOWN.value}
        return _valid_or_reask(dispatcher, tracker, "decision_location", value, DecisionLocation)

    async def validate_decision_date(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        if value == UNKNOWN:
            return {"decision_date": UNKNOWN}
        parsed = parse_decision_date(value, clock.today())
        if parsed.value is None:
            dispatcher.utter_message(response=f"utter_invalid_decision_date_{parsed.problem.value}")
            return {"decision_date": None}
        if parsed.telling is not Telling.EXACT:
            dispatcher.utter_message(response=SAID_BACK[parsed.telling], decision_date=format_french_date(parsed.value))
        return {"decision_date": parsed.value.isoformat()}
