"""A letter in the conversation history: the facts read in it are stored, none of its other words.

The store here is the project's own on a SQLite file, in process; test_tracker_store.py does the same on
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date
from typing import Any, Dict, Set

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.domain.letter_provisions import LetterKind
from bot.domain.letters import LETTER_FACTS_KEY, LetterReading, read_letter
from bot.rasa_plugins.tracker_store import DatabaseUrlTrackerStore, letter_in_words, without_letter_text
from bot.texts import file_response_text

pytestmark = pytest.mark.unit

# The person's name, address and file number are in the letter, outside the sentence that states the ground.
LETTER = """Immigration, Refugees and Citizenship Canada
Embassy of Canada, Paris - Visa Section
November 12, 2026
Application number: E001234567
Karim Benali
1234 rue Sherbrooke Ouest, Montreal

Dear Karim Benali,

I have completed the assessment of your application for permanent residence as a member of the Canadian
Experience Class. You did not provide the police certificate requested. Your application is refused.

Thank you for your interest in Canada. Officer Jolicoeur
"""
READING = read_letter(LETTER, date(2026, 12, 4))


def _span(word: str) -> Dict[str, int]:
    start = LETTER.index(word)
    return {"start": start, "end": start + len(word)}


def letter_message() -> UserUttered:
    """The letter as the NLU hands it to the tracker: its words in more places than the text."""
    parse_data: Dict[str, Any] = {
        "text": LETTER,
        "intent": {"name": "refusal_missing_documents", "confidence": 1.0},
        "intent_ranking": [{"name": "refusal_missing_documents", "confidence": 1.0, "text": LETTER[:40]}],
        "entities": [
            {"entity": "location", "value": "Sherbrooke", "extractor": "CRFEntityExtractor", **_span("Sherbrooke")},
            {"entity": "program", "value": "cec", "processors": ["EntitySynonymMapper"], **_span("Canadian")},
        ],
        "text_tokens": [(match.start(), match.end()) for match in re.finditer(r"\w+", LETTER)],
        "response_selector": {"default": {"response": {"responses": [{"text": "Dear Karim Benali"}]}}},
        "refusal_causes": [{"cause": "missing_documents", "confidence": 1.0, "sentence": "Dear Karim Benali"}],
        LETTER_FACTS_KEY: READING.as_facts(),
    }
    return UserUttered(LETTER, parse_data["intent"], parse_data["entities"], parse_data, timestamp=2.0)


def words(written: str) -> Set[str]:
    # Shorter tokens ("of", "12") carry nothing of the person's and are found in any JSON's numbers.
    return {word for word in re.findall(r"\w+", written) if len(word) >= 3}


def letter_words_in(stored: str) -> Set[str]:
    """The letter's words found in what was stored, but for the facts kept and the assistant's own wording."""
    kept = words(json.dumps(READING.as_facts(), ensure_ascii=False)) | words(file_response_text("utter_letter_kept"))
    return {word for word in words(LETTER) - kept if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", stored)}


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/history.db")
    store = DatabaseUrlTrackerStore(domain=Domain.empty())
    yield store
    store.engine.dispose()


def test_a_letter_read_back_from_the_history_holds_the_facts_and_none_of_its_other_words(store):
    tracker = DialogueStateTracker.from_events("p1", [UserUttered("bonjour", timestamp=1.0), letter_message()])
    asyncio.run(store.save(tracker))
    with store.engine.connect() as connection:
        rows = connection.execute(text("select * from events where sender_id = 'p1'")).all()
    on_disk = json.dumps([list(row) for row in rows], ensure_ascii=False)
    retrieved = asyncio.run(store.retrieve("p1"))
    read_back = json.dumps([event.as_dict() for event in retrieved.events], ensure_ascii=False)
    # What the check looks for is there before the store: the name, the address and the file number.
    handed = json.dumps(letter_message().as_dict(), ensure_ascii=False)
    assert {"Karim", "Benali", "Sherbrooke", "E001234567"} <= letter_words_in(handed)
    for stored in (on_disk, read_back):
        assert letter_words_in(stored) == set()
    kept = retrieved.latest_message
    assert kept.parse_data["text"] == kept.text and "You did not provide the police certificate requested." in kept.text
    assert kept.intent == {"name": "refusal_missing_documents", "confidence": 1.0}
    assert kept.parse_data["intent_ranking"] == [{"name": "refusal_missing_documents", "confidence": 1.0}]
    assert kept.parse_data["refusal_causes"] == [{"cause": "missing_documents", "confidence": 1.0}]
    assert kept.entities == [] and kept.parse_data["entities"] == []
    assert "text_tokens" not in kept.parse_data and "response_selector" not in kept.parse_data
    assert LetterReading.from_facts(kept.parse_data[LETTER_FACTS_KEY]) == READING
    # The turn's own tracker keeps the letter until the turn ends: only the stored copy changes.
    assert tracker.latest_message.text == LETTER and tracker.latest_message.entities


def test_a_message_that_is_no_letter_is_stored_as_it_was_typed():
    typed = UserUttered("mon test de langue a expiré", parse_data={"intent": {"name": "refusal_missing_documents"}})
    assert without_letter_text(typed) is typed
    forged = UserUttered("texte", parse_data={LETTER_FACTS_KEY: {"kind": "nothing"}})
    assert without_letter_text(forged).text == "texte"


def test_each_fact_a_letter_does_not_give_is_said_missing_in_words_agreed_with_its_field():
    nothing = LetterReading(LetterKind.FAIRNESS_LETTER, (), (), (), None, None, None)
    told = letter_in_words(nothing)
    assert "Date de la décision : non indiquée. Bureau : non indiqué." in told
    assert "Dispositions citées : aucune. Motifs cités : aucun]" in told
    assert "Date de la décision : 12 novembre 2026. Bureau : Paris." in letter_in_words(READING)


def test_a_ground_that_names_the_person_is_stored_with_the_name_as_docs_legal_rules_says():
    # docs/legal-rules.md, "Reading a pasted letter": the quoted grounds are kept word for word.
    ground = "The applicant, Karim Benali, did not provide the police certificate requested."
    naming = LETTER.replace("You did not provide the police certificate requested.", ground)
    reading = read_letter(naming, date(2026, 12, 4))
    parse_data = {"intent": {"name": "refusal_missing_documents"}, LETTER_FACTS_KEY: reading.as_facts()}
    kept = without_letter_text(UserUttered(naming, parse_data=parse_data))
    assert f"«\u00a0{ground}\u00a0»" in kept.text
    assert kept.parse_data[LETTER_FACTS_KEY]["quotes"] == [ground]
    assert "Dear" not in json.dumps(kept.as_dict())
