"""The NLU component that reads a pasted letter as a letter (bot/rasa_plugins/letter_reader.py)."""

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.domain.cause_reading import CAUSE_SCORES_KEY
from bot.domain.letters import LETTER_FACTS_KEY
from bot.rasa_plugins.letter_reader import LetterReader
from tests.actions.test_triage_form import LETTER

pytestmark = pytest.mark.unit


EXTRACTED = [{"entity": "program", "value": "Canadian Experience Class", "start": 0, "end": 5}]


def _read(text, intent="refusal_officer_error", scores=None):
    message = Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.4}, ENTITIES: EXTRACTED})
    if scores is not None:
        message.set(CAUSE_SCORES_KEY, scores)
    LetterReader().process([message])
    return message


def test_a_refusal_letter_s_grounds_replace_the_classifiers_reading():
    message = _read(LETTER, scores=[{"cause": "officer_error", "confidence": 0.7}])
    assert message.get(INTENT) == {"name": "refusal_missing_documents", "confidence": 1.0}
    assert message.get(CAUSE_SCORES_KEY) == [{"cause": "missing_documents", "confidence": 1.0}]
    assert message.get(INTENT_RANKING_KEY) == [{"name": "refusal_missing_documents", "confidence": 1.0}]
    # What the actions say back and the history keeps: the facts read, dated against the assistant's today.
    assert message.get(LETTER_FACTS_KEY)["office"] == {"name": "Paris", "location": "outside_canada"}
    assert message.get(LETTER_FACTS_KEY)["decision_date"] == "2026-11-12"
    # The extractors' reading of the letter's words is no answer of the person's: the facts take its place.
    assert message.get(ENTITIES) == []


def test_a_returned_application_becomes_its_situation_and_keeps_no_cause():
    returned = LETTER.replace("Your application is refused.", "Your application is incomplete and is returned to you.")
    returned = returned.replace("You did not provide the police certificate requested.", "Fees will be refunded.")
    message = _read(returned, scores=[{"cause": "missing_documents", "confidence": 0.9}])
    assert message.get(INTENT)["name"] == "returned_incomplete"
    assert message.get(CAUSE_SCORES_KEY) == []


def test_a_person_s_message_is_left_to_the_classifiers():
    message = _read(
        "mon test de langue a expiré, refus IRCC", scores=[{"cause": "missing_documents", "confidence": 0.9}]
    )
    assert message.get(INTENT) == {"name": "refusal_officer_error", "confidence": 0.4}
    assert message.get(CAUSE_SCORES_KEY) == [{"cause": "missing_documents", "confidence": 0.9}]
    assert message.get(LETTER_FACTS_KEY) is None
    assert message.get(ENTITIES) == EXTRACTED
