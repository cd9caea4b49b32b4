"""The conversation history's store when PostgreSQL drops its connections or restarts."""

from __future__ import annotations

import asyncio
import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.domain.letters import LETTER_FACTS_KEY, LetterReading
from bot.rasa_plugins.tracker_store import DatabaseUrlTrackerStore
from bot.storage.database import make_engine
from tests.rasa_plugins.test_letter_history import LETTER, letter_message, letter_words_in

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


def test_a_letter_is_stored_as_the_facts_read_in_it_never_as_its_text(store):
    tracker = DialogueStateTracker.from_events("p2", [UserUttered("bonjour", timestamp=1.0), letter_message()])
    asyncio.run(store.save(tracker))
    # The turn's own tracker keeps the text until the turn ends.
    assert tracker.latest_message.text == LETTER
    with store.engine.connect() as connection:
        rows = connection.execute(text("select * from events where sender_id = 'p2'")).all()
    assert letter_words_in(json.dumps([list(row) for row in rows], ensure_ascii=False)) == set()
    kept = asyncio.run(store.retrieve("p2")).latest_message
    assert "Paris" in kept.text and "12 novembre 2026" in kept.text
    assert "You did not provide the police certificate requested." in kept.text
    assert LetterReading.from_facts(kept.parse_data[LETTER_FACTS_KEY]).office.name == "Paris"
    assert kept.parse_data["text"] == kept.text
    assert kept.entities == [] and "text_tokens" not in kept.parse_data
