"""Rasa's conversation history in our database: redaction, erasure and purge, with Rasa's own store."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.rasa_plugins.tracker_store import DatabaseUrlTrackerStore
from bot.storage.case_records import erase_case, purge_cases, save_case
from bot.storage.conversations import REDACTED, redact_conversation
from tests.storage.case_factory import a_case

pytestmark = pytest.mark.unit

DOMAIN = Domain.from_yaml("slots:\n  contact_email:\n    type: text\n    mappings:\n      - type: custom\n")


@pytest.fixture
def store(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    store = DatabaseUrlTrackerStore(domain=DOMAIN)
    yield store
    store.engine.dispose()


def save(store, sender_id, *events, timestamp=None):
    tracker = asyncio.run(store.retrieve(sender_id)) or DialogueStateTracker(sender_id, DOMAIN.slots)
    for event in events:
        if timestamp is not None:
            event.timestamp = timestamp
        tracker.update(event)
    asyncio.run(store.save(tracker))


def history(engine, sender_id):
    with engine.connect() as connection:
        return [
            row.data
            for row in connection.execute(
                text("select data from events where sender_id = :s order by id"), {"s": sender_id}
            )
        ]


def test_the_history_goes_to_database_url(store, database_url):
    save(store, "conv-1", UserUttered("bonjour"))
    assert str(store.engine.url) == database_url
    assert asyncio.run(store.retrieve("conv-1")).latest_message.text == "bonjour"


def test_redaction_removes_the_typed_details_and_rasa_keeps_appending(store, engine):
    save(store, "conv-1", UserUttered("mon courriel : awa@example.org"), SlotSet("contact_email", "awa@example.org"))
    save(store, "conv-2", UserUttered("awa@example.org"))

    assert redact_conversation(engine, "conv-1", ["mon courriel : awa@example.org", "awa@example.org"]) == 2
    assert not any("awa@example.org" in data for data in history(engine, "conv-1"))
    assert any("awa@example.org" in data for data in history(engine, "conv-2"))

    # Rasa counts stored events to know what is new: nothing is re-added, the next turn is stored.
    save(store, "conv-1", UserUttered("annuler"))
    tracker = asyncio.run(store.retrieve("conv-1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [REDACTED, "annuler"]
    assert tracker.get_slot("contact_email") == REDACTED


def test_erasing_a_case_erases_its_conversation(store, engine):
    save(store, "conv-1", UserUttered("mon test de langue a expiré"))
    save(store, "conv-2", UserUttered("autre personne"))
    stored = save_case(engine, a_case("conv-1"))
    assert erase_case(engine, stored.reference)
    assert history(engine, "conv-1") == []
    assert len(history(engine, "conv-2")) == 1


def test_purge_removes_old_conversations_even_without_a_case(store, engine):
    old = time.time() - timedelta(days=400).total_seconds()
    save(store, "old", UserUttered("il y a longtemps"), timestamp=old)
    save(store, "recent", UserUttered("hier"))
    purged = purge_cases(engine, datetime.now(timezone.utc) - timedelta(days=365))
    assert purged.events == 1
    assert history(engine, "old") == [] and len(history(engine, "recent")) == 1
