"""The firm's cases: one record per handoff, written atomically with its notices, erasable on request.

Core tables with 2.0-style statements (select/insert on `engine.begin()`), which run unchanged on
SQLAlchemy 1.4 (Rasa's pin) and 2.0. The schema is in bot/storage/schema.py, owned by migrations/.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Dict, List, Optional, Sequence, Set

from sqlalchemy import delete, desc, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.domain.consultation import NewCase
from bot.settings import notice_settings
from bot.storage.conversations import erase_conversation, purge_conversations
from bot.storage.database import lost_connection, reconnecting
from bot.storage.outbox import Notice, NoticeKind, digest_notice
from bot.storage.schema import handoff_cases, notices

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: a reference is read out on the phone.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_LENGTH = 8
HOUR = timedelta(hours=1)
# A request from an e-mail or phone that made one this recently is announced in the digest, not on its own.
REPEAT_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class StoredCase(NewCase):
    reference: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    contacted_at: Optional[datetime] = None


def case_payload(case: StoredCase) -> Dict[str, Any]:
    """The case as JSON for the firm's webhook: ISO dates, lists for tuples."""
    values = asdict(case)
    values["causes"] = list(case.causes)
    return {key: value.isoformat() if isinstance(value, (date, datetime)) else value for key, value in values.items()}


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


class ReferenceTaken(Exception):
    """Another case already holds the reference drawn for this one."""


def new_stored_case(case: NewCase) -> StoredCase:
    """The case with its reference and time, drawn before it is written: the person is told this reference."""
    return StoredCase(**asdict(case), reference=new_reference(), created_at=datetime.now(timezone.utc))


def save_case(
    engine: Engine,
    case: NewCase,
    notices_for: Callable[[StoredCase], Sequence[Notice]] = lambda stored: (),
    attempts: int = 5,
    waits: Optional[Sequence[float]] = None,
    if_unreachable: Optional[Callable[[StoredCase, Sequence[Notice]], StoredCase]] = None,
) -> StoredCase:
    """Stores the case and its notices to the firm in one transaction, once per conversation.

    A second submission returns the first record and queues nothing. A reference that collides
    with another case's is drawn again. A lost connection is tried again over `waits`; then the
    case and its notices go to `if_unreachable`, whose answer is returned, or, without it, the error is raised.
    """
    for _ in range(attempts):
        stored = new_stored_case(case)
        case_notices = notices_for(stored)
        try:
            return store_with_reference(engine, stored, case_notices, waits)
        except ReferenceTaken:
            continue
        except DBAPIError as error:
            if if_unreachable is None or not lost_connection(error):
                raise
            return if_unreachable(stored, case_notices)
    raise RuntimeError("could not store the case")


def store_with_reference(
    engine: Engine, case: StoredCase, case_notices: Sequence[Notice], waits: Optional[Sequence[float]] = None
) -> StoredCase:
    """Stores `case` under its own reference, or returns the case its conversation already has.

    The unique constraint on conversation_id, not a read-then-write, decides: two concurrent
    submissions cannot both insert, and a commit whose answer was lost and is tried again returns
    the case already stored, never a second one. Raises ReferenceTaken when only the reference clashed.
    """
    values = dict(asdict(case), causes=list(case.causes))
    try:
        reconnecting(lambda: _insert_with_notices(engine, values, case_notices), "Cases", waits)
    except IntegrityError:
        existing = _by_conversation(engine, case.conversation_id)
        if existing is None:
            raise ReferenceTaken(case.reference) from None
        return existing
    # Read back, so that the caller sees the values as the database keeps them.
    return _by_conversation(engine, case.conversation_id) or case


def _same_contact(values: dict):
    """A case with this case's e-mail (any case of letters) or phone number; None when it gave neither."""
    same = []
    if values.get("email"):
        # lower() on both sides: SQLite's changes ASCII letters only, and must compare like with like.
        same.append(func.lower(handoff_cases.c.email) == func.lower(values["email"]))
    if values.get("phone"):
        same.append(handoff_cases.c.phone == values["phone"])
    return or_(*same) if same else None


def _insert_with_notices(engine: Engine, values: dict, case_notices: Sequence[Notice]) -> None:
    settings = notice_settings()
    created_at = values["created_at"]
    first_attempt = created_at
    with engine.begin() as connection:
        if case_notices:
            # Past the ceiling, or from an e-mail or phone that made a request within a day, the case is
            # announced in the next digest instead (outbox.deliver_digest): a script repeating one person's
            # details, or opening case after case, cannot bury the firm's mailbox. The repeat is stored as its
            # own case, never merged into the first: whoever typed someone's e-mail learns nothing of their case
            # and changes nothing in it. Two replicas saving at the same instant may both pass under the
            # ceiling: it is approximate by that much.
            last_hour = select(func.count()).select_from(handoff_cases)
            recent = connection.execute(last_hour.where(handoff_cases.c.created_at > created_at - HOUR)).scalar_one()
            same_contact = _same_contact(values)
            repeat_of = None
            if same_contact is not None:
                earlier = select(handoff_cases.c.reference).where(
                    same_contact, handoff_cases.c.created_at > created_at - REPEAT_WINDOW
                )
                repeat_of = connection.execute(earlier.order_by(handoff_cases.c.created_at).limit(1)).scalar()
            # An urgent request keeps its own notice: someone who typed the person's e-mail first must not
            # delay a Federal Court deadline.
            repeat = repeat_of is not None and not values["urgent"]
            if recent >= settings.hourly_ceiling or repeat:
                case_notices = [digest_notice(values["reference"], values["urgent"], created_at, repeat_of)]
                first_attempt = created_at + timedelta(minutes=settings.digest_minutes)
        case_id = connection.execute(insert(handoff_cases).values(**values)).inserted_primary_key[0]
        for notice in case_notices:
            connection.execute(
                insert(notices).values(
                    case_id=case_id,
                    kind=notice.kind.value,
                    payload=notice.payload,
                    attempts=0,
                    next_attempt_at=first_attempt,
                    created_at=created_at,
                )
            )


def grouped_references(engine: Engine) -> Set[str]:
    """The cases announced in a digest (past the hourly ceiling, or a repeated e-mail or phone): the operator's
    list marks them."""
    query = select(handoff_cases.c.reference).join(notices, notices.c.case_id == handoff_cases.c.id)
    with engine.connect() as connection:
        return set(connection.execute(query.where(notices.c.kind == NoticeKind.DIGEST.value)).scalars())


def list_cases(engine: Engine) -> List[StoredCase]:
    """Urgent cases first, then the newest."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(handoff_cases).order_by(desc(handoff_cases.c.urgent), desc(handoff_cases.c.created_at))
        ).all()
    return [_stored(row) for row in rows]


def get_case(engine: Engine, reference: str) -> Optional[StoredCase]:
    return _first(engine, _reference_is(reference))


def mark_contacted(engine: Engine, reference: str, when: datetime) -> bool:
    with engine.begin() as connection:
        result = connection.execute(update(handoff_cases).where(_reference_is(reference)).values(contacted_at=when))
    return result.rowcount > 0


def erase_case(engine: Engine, reference: str) -> bool:
    """Deletes the record, its notices and the whole conversation it came from; True when there was one."""
    with engine.begin() as connection:
        row = connection.execute(
            select(handoff_cases.c.id, handoff_cases.c.conversation_id).where(_reference_is(reference))
        ).first()
        if row is None:
            return False
        # Deleted explicitly: SQLite enforces ON DELETE CASCADE only when asked to, per connection.
        connection.execute(delete(notices).where(notices.c.case_id == row.id))
        connection.execute(delete(handoff_cases).where(handoff_cases.c.id == row.id))
        erase_conversation(connection, row.conversation_id)
    return True


@dataclass(frozen=True)
class Purged:
    cases: int
    events: int


def purge_cases(engine: Engine, created_before: datetime) -> Purged:
    """Deletes every case and every conversation event older than the cut-off (the retention period)."""
    with engine.begin() as connection:
        old = select(handoff_cases.c.id).where(handoff_cases.c.created_at < created_before)
        connection.execute(delete(notices).where(notices.c.case_id.in_(old)))
        cases = connection.execute(delete(handoff_cases).where(handoff_cases.c.created_at < created_before)).rowcount
        events = purge_conversations(connection, created_before)
    return Purged(cases, events)
