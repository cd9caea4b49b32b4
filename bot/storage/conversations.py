"""Rasa's conversation history (the SQL tracker store's `events` table), for erasure and retention.

Rasa creates and owns the table; only the columns used here are declared, and a test against
Rasa's own SQLTrackerStore keeps them right. When the history is kept elsewhere (Rasa's
in-memory store in development) there is no table and nothing to erase.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Iterable

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, inspect, select, update
from sqlalchemy.engine import Connection, Engine

REDACTED = "[retiré]"

events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("timestamp", Float),
    Column("data", Text),
)


def _has_history(connection: Connection) -> bool:
    return inspect(connection).has_table(events.name)


def erase_conversation(connection: Connection, conversation_id: str) -> int:
    """Deletes every event of the conversation; returns how many."""
    if not _has_history(connection):
        return 0
    return connection.execute(delete(events).where(events.c.sender_id == conversation_id)).rowcount


def purge_conversations(connection: Connection, before: datetime) -> int:
    """Deletes every event older than the cut-off, whatever the conversation; returns how many."""
    if not _has_history(connection):
        return 0
    return connection.execute(delete(events).where(events.c.timestamp < before.timestamp())).rowcount


def _replace(text: Any, secrets: Iterable[str]) -> Any:
    if not isinstance(text, str):
        return text
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redact(data: Dict[str, Any], secrets: Iterable[str]) -> Dict[str, Any]:
    """The event with the secrets removed from what was said and remembered, its structure untouched."""
    data = json.loads(json.dumps(data))
    kind = data.get("event")
    if kind in ("user", "bot"):
        data["text"] = _replace(data.get("text"), secrets)
    if kind == "user" and isinstance(data.get("parse_data"), dict):
        parse_data = data["parse_data"]
        parse_data["text"] = _replace(parse_data.get("text"), secrets)
        for entity in parse_data.get("entities") or []:
            entity["value"] = _replace(entity.get("value"), secrets)
    if kind == "slot":
        data["value"] = _replace(data.get("value"), secrets)
    return data


def redact_conversation(engine: Engine, conversation_id: str, secrets: Iterable[str]) -> int:
    """Replaces the given texts wherever the stored history holds them; returns the events changed.

    Only what was said (user and bot texts, entities) and remembered (slot values) is touched.
    Rows are rewritten, never deleted: Rasa appends new events by counting the stored ones.
    """
    secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not secrets:
        return 0
    changed = 0
    with engine.begin() as connection:
        if not _has_history(connection):
            return 0
        rows = connection.execute(select(events.c.id, events.c.data).where(events.c.sender_id == conversation_id)).all()
        for row in rows:
            data = json.loads(row.data)
            redacted = _redact(data, secrets)
            if redacted != data:
                connection.execute(update(events).where(events.c.id == row.id).values(data=json.dumps(redacted)))
                changed += 1
    return changed
