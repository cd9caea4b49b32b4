"""Rasa's conversation history in the project's own database: DATABASE_URL, like the cases.

One setting points the history and the cases at the same database, so that a conversation
survives a restart of both servers and erasing a person reaches both in one transaction.

A letter the person pasted or sent as a file is kept only as the facts read in it (its kind, grounds,
quoted reasons, provisions, date, office, program): the message's text is replaced, before it is written,
by those facts in French, which is also what the firm receives with a case. The rest of the parsed message
is rebuilt from the labels alone, since the NLU's output repeats the letter's words in other places too.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterator, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT

from bot.domain.cause_reading import CAUSE_SCORES_KEY
from bot.domain.dates import format_french_date
from bot.domain.letter_provisions import in_french
from bot.domain.letters import LETTER_FACTS_KEY, LetterReading
from bot.storage.database import database_url, ensure_sqlite_folder, reconnecting_async
from bot.texts import file_response_text

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

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        # What SQLTrackerStore.save writes: the tracker's own events stay as they are for the rest of the turn.
        for event in super()._additional_events(session, tracker):
            yield without_letter_text(event)


def without_letter_text(event: Event) -> Event:
    """The event as it is stored: a message holding a letter keeps the facts read in it, not its words."""
    if not isinstance(event, UserUttered):
        return event
    parsed = event.parse_data or {}
    reading = LetterReading.from_facts(parsed.get(LETTER_FACTS_KEY))
    if reading is None:
        return event
    kept = copy.copy(event)
    kept.text = letter_in_words(reading)
    kept.intent = _label(event.intent, "name")
    kept.entities = []
    # A list of what may stay, not of what must go: Rasa and the pipeline's components add keys holding the
    # message's words (text_tokens' offsets, entities' values and positions, a response selector's answers),
    # and a component added later must not bring the letter back into the history unseen.
    kept.parse_data = {
        TEXT: kept.text,
        INTENT: kept.intent,
        INTENT_RANKING_KEY: [_label(ranked, "name") for ranked in parsed.get(INTENT_RANKING_KEY) or []],
        ENTITIES: [],
        CAUSE_SCORES_KEY: [_label(scored, "cause") for scored in parsed.get(CAUSE_SCORES_KEY) or []],
        LETTER_FACTS_KEY: reading.as_facts(),
        # What the channel gave with the message, not read from its words.
        "message_id": parsed.get("message_id"),
        "metadata": parsed.get("metadata"),
    }
    return kept


def _label(scored: Any, key: str) -> Dict[str, Any]:
    """A label the NLU gave and its confidence, without anything else the entry carried."""
    if not isinstance(scored, dict):
        return {}
    return {name: scored[name] for name in (key, "confidence") if name in scored}


def letter_in_words(reading: LetterReading) -> str:
    """The facts read in a letter, in French, in place of its text."""
    return file_response_text("utter_letter_kept").format(
        decision_date=format_french_date(reading.decision_date, weekday=False)
        if reading.decision_date
        else file_response_text("utter_letter_kept_no_date"),
        office=reading.office.name if reading.office else file_response_text("utter_letter_kept_no_office"),
        provisions=" ; ".join(in_french(citation) for citation in reading.provisions)
        or file_response_text("utter_letter_kept_no_provisions"),
        quotes=" ".join(f"«\u00a0{quote}\u00a0»" for quote in reading.quotes)
        or file_response_text("utter_letter_kept_no_quotes"),
    )
