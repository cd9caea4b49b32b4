"""Rasa's conversation history in the project's own database: DATABASE_URL, like the cases.

One setting points the history and the cases at the same database, so that a conversation
survives a restart of both servers and erasing a person reaches both in one transaction.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.database import database_url, ensure_sqlite_folder, reconnecting_async

HISTORY = "Conversation history"


class DatabaseUrlTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[str] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        url = database_url()
        ensure_sqlite_folder(url)
        # SQLTrackerStore takes a full URL given as its host as it is.
        # No pool pre-ping, unlike the cases' engine: it cost a round trip on each of a turn's several
        # checkouts. A connection that a PostgreSQL restart killed fails once, SQLAlchemy then drops the
        # whole pool, and `reconnecting_async` tries the read or write again on a new connection.
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        parent = super()._retrieve
        return await reconnecting_async(lambda: parent(sender_id, fetch_events_from_all_sessions), HISTORY)

    async def save(self, tracker: DialogueStateTracker) -> None:
        # Safe to repeat: only the events not yet stored are written.
        parent = super().save
        await reconnecting_async(lambda: parent(tracker), HISTORY)
