"""The firm's cases: one record per handoff, written atomically, erasable on request.

Core tables with 2.0-style statements (select/insert on `engine.begin()`), which run unchanged on
SQLAlchemy 1.4 (Rasa's pin) and 2.0. The schema itself is owned by migrations/ (Alembic);
`metadata` mirrors it, and a test keeps the two equal.
"""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import List, Optional, Tuple

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a reference is read out on the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_LENGTH = 8

metadata = MetaData()
handoff_cases = Table(
    "handoff_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("conversation_id", String(255), nullable=False, unique=True),
    Column("channel", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("contact_method", String(16)),
    Column("contact_moments", String(200)),
    Column("consent_version", String(32), nullable=False),
    Column("consent_at", DateTime(timezone=True), nullable=False),
    Column("causes", JSON, nullable=False),
    Column("program", String(16)),
    Column("authority", String(16)),
    Column("decision_location", String(16)),
    Column("decision_date", Date),
    Column("last_day", Date),
    Column("days_left", Integer),
    Column("urgent", Boolean, nullable=False),
    Column("professional", String(32)),
    Column("description", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class NewCase:
    """What the handoff stores: the person's contact, their consent and the case summary."""

    conversation_id: str
    channel: str
    name: str
    consent_version: str
    consent_at: datetime
    causes: Tuple[str, ...]
    urgent: bool
    email: Optional[str] = None
    phone: Optional[str] = None
    contact_method: Optional[str] = None
    contact_moments: Optional[str] = None
    program: Optional[str] = None
    authority: Optional[str] = None
    decision_location: Optional[str] = None
    decision_date: Optional[date] = None
    last_day: Optional[date] = None
    days_left: Optional[int] = None
    professional: Optional[str] = None
    description: Optional[str] = None


@dataclass(frozen=True)
class StoredCase(NewCase):
    reference: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def _stored(row) -> StoredCase:
    values = dict(row._mapping)
    values.pop("id")
    values["causes"] = tuple(values["causes"])
    return StoredCase(**values)


def _first(engine: Engine, condition) -> Optional[StoredCase]:
    with engine.connect() as connection:
        row = connection.execute(select(handoff_cases).where(condition)).first()
    return _stored(row) if row else None


def _by_conversation(engine: Engine, conversation_id: str) -> Optional[StoredCase]:
    return _first(engine, handoff_cases.c.conversation_id == conversation_id)


def _reference_is(reference: str):
    # References are read out and retyped: case and stray spaces do not matter.
    return handoff_cases.c.reference == reference.strip().upper()


def save_case(engine: Engine, case: NewCase, attempts: int = 5) -> StoredCase:
    """Stores the case once per conversation: a second submission returns the first record.

    The unique constraint on conversation_id, not a read-then-write, decides: two concurrent
    submissions cannot both insert.
    """
    for _ in range(attempts):
        values = dict(asdict(case), causes=list(case.causes))
        values.update(reference=new_reference(), created_at=datetime.now(timezone.utc))
        try:
            with engine.begin() as connection:
                connection.execute(insert(handoff_cases).values(**values))
        except IntegrityError:
            existing = _by_conversation(engine, case.conversation_id)
            if existing is not None:
                return existing
            continue  # the reference collided with another case's: draw again
        stored = _by_conversation(engine, case.conversation_id)
        if stored is not None:
            return stored
    raise RuntimeError("could not store the case")


def list_cases(engine: Engine) -> List[StoredCase]:
    with engine.connect() as connection:
        rows = connection.execute(select(handoff_cases).order_by(handoff_cases.c.created_at)).all()
    return [_stored(row) for row in rows]


def get_case(engine: Engine, reference: str) -> Optional[StoredCase]:
    return _first(engine, _reference_is(reference))


def erase_case(engine: Engine, reference: str) -> bool:
    """Deletes the record and everything in it; True when there was one."""
    with engine.begin() as connection:
        result = connection.execute(delete(handoff_cases).where(_reference_is(reference)))
    return result.rowcount > 0


def purge_cases(engine: Engine, created_before: datetime) -> int:
    """Deletes every case created before the cut-off (the retention period); returns how many."""
    with engine.begin() as connection:
        result = connection.execute(delete(handoff_cases).where(handoff_cases.c.created_at < created_before))
    return result.rowcount
