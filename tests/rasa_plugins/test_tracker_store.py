"""The conversation history's store when PostgreSQL drops its connections or restarts."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.rasa_plugins.tracker_store import DatabaseUrlTrackerStore
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
