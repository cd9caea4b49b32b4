"""The conversation history's store when PostgreSQL drops its connections or restarts."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.domain.letters import LETTER_FACTS_KEY, LetterReading
from bot.rasa_plugins.tracker_store import DatabaseUrlTrackerStore, without_letter_text
from bot.storage.database import make_engine

pytestmark = pytest.mark.integration


@pytest.fixture
def store(postgres_database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres_database)
    store = DatabaseUrlTrackerStore(domain=Domain.empty())
    yield store
    store.engine.dispose()


def test_connections_killed_by_a_database_restart_are_replaced_and_the_next_message_is_read(store, postgres_database):
    tracker = DialogueStateTracker.from_events("p1", [UserUttered("bonjour")])
    asyncio.run(store.save(tracker))
    admin = make_engine(postgres_database)
    with admin.begin() as connection:
        # What a restart does to every pooled connection.
        killed = connection.execute(
            text(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                "where datname = current_database() and pid <> pg_backend_pid()"
            )
        ).scalar()
    admin.dispose()
    assert killed >= 1
    retrieved = asyncio.run(store.retrieve("p1"))
    assert [event.text for event in retrieved.events if isinstance(event, UserUttered)] == ["bonjour"]


def _letter_message():
    from tests.actions.test_triage_form import LETTER, LETTER_READ

    parse = {"intent": {"name": "refusal_missing_documents", "confidence": 1.0}, **LETTER_READ}
    return UserUttered(LETTER, parse_data=parse)


def test_a_letter_is_stored_as_the_facts_read_in_it_never_as_its_text(store):
    tracker = DialogueStateTracker.from_events("p2", [UserUttered("bonjour"), _letter_message()])
    asyncio.run(store.save(tracker))
    # The turn's own tracker keeps the text until the turn ends.
    assert tracker.latest_message.text.startswith("Immigration, Refugees")
    with store.engine.connect() as connection:
        stored = " ".join(connection.execute(text("select data from events where sender_id = 'p2'")).scalars())
    assert "E001234567" not in stored and "Dear Applicant" not in stored
    kept = asyncio.run(store.retrieve("p2")).latest_message
    assert "Paris" in kept.text and "12 novembre 2026" in kept.text
    assert "You did not provide the police certificate requested." in kept.text
    assert LetterReading.from_facts(kept.parse_data[LETTER_FACTS_KEY]).office.name == "Paris"
    assert kept.parse_data["text"] == kept.text


@pytest.mark.unit
def test_a_message_that_is_no_letter_is_stored_as_it_was_typed():
    typed = UserUttered("mon test de langue a expiré", parse_data={"intent": {"name": "refusal_missing_documents"}})
    assert without_letter_text(typed) is typed
    forged = UserUttered("texte", parse_data={LETTER_FACTS_KEY: {"kind": "nothing"}})
    assert without_letter_text(forged).text == "texte"
