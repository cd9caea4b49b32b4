"""Rasa's conversation history in the project's own database: DATABASE_URL, like the cases.

One setting points the history and the cases at the same database, so that a conversation
survives a restart of both servers and erasing a person reaches both in one transaction.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from bot.database import database_url, ensure_sqlite_folder


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
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
