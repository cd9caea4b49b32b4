"""Notices to the firm, delivered from an outbox table: late when a server is down, never lost, never twice.

A notice row is written in the same transaction as its case (bot/storage/case_records.py). A worker
(`python -m bot.storage.notice_worker`) claims due rows with a lease, sends them, and marks them delivered; a
failure reschedules the row with exponential backoff. The conversation never waits for a mail
server: the action only writes rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, Callable, Dict, List, Mapping, Optional

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine

from bot.storage.schema import notices

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(hours=1)
# Longer than any send's timeout: a worker that died mid-send frees its notice after this.
LEASE = timedelta(minutes=2)


class NoticeKind(str, Enum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    # A case past the hourly ceiling: announced with the others in one digest (deliver_digest).
    DIGEST = "digest"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    payload: Dict[str, Any]


@dataclass(frozen=True)
class PendingNotice:
    id: int
    kind: NoticeKind
    payload: Dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


Sender = Callable[[PendingNotice], None]


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 10 s, 20 s, 40 s... at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _claim(engine: Engine, now: datetime, kinds) -> List[PendingNotice]:
    """Takes the due notices no other worker holds; the conditional update makes the claim exclusive."""
    due = and_(
        notices.c.delivered_at.is_(None),
        notices.c.next_attempt_at <= now,
        notices.c.kind.in_([kind.value for kind in kinds]),
        or_(notices.c.claimed_until.is_(None), notices.c.claimed_until < now),
    )
    claimed = []
    with engine.connect() as connection:
        rows = connection.execute(select(notices).where(due).order_by(notices.c.id)).all()
    for row in rows:
        with engine.begin() as connection:
            taken = connection.execute(
                update(notices).where(and_(notices.c.id == row.id, due)).values(claimed_until=now + LEASE)
            ).rowcount
        if taken:
            claimed.append(PendingNotice(row.id, NoticeKind(row.kind), row.payload, row.attempts))
    return claimed


def _failed(attempts: int, now: datetime, error: Exception) -> Dict[str, Any]:
    """A notice row after a failed try: tried again after its backoff, with the error's type (its message may
    quote an address)."""
    return dict(
        attempts=attempts, next_attempt_at=now + backoff(attempts), claimed_until=None, last_error=type(error).__name__
    )


def _delivered(attempts: int) -> Dict[str, Any]:
    """A notice row once sent: when and how, not the person's data, which the case alone holds."""
    return dict(attempts=attempts, delivered_at=_now(), claimed_until=None, last_error=None, payload={})


def digest_notice(reference: str, urgent: bool, created_at: datetime, repeat_of: Optional[str] = None) -> Notice:
    """What a digest says of one case: its reference, when, whether a deadline is near, and the earlier case
    with the same e-mail or phone, if any. Nothing personal: the firm reads the rest with the operator's `show`."""
    line = {"reference": reference, "urgent": urgent, "created_at": created_at.isoformat()}
    if repeat_of:
        line["repeat_of"] = repeat_of
    return Notice(NoticeKind.DIGEST, line)


DigestRenderer = Callable[[List[Dict[str, Any]]], Dict[NoticeKind, Dict[str, Any]]]


def deliver_digest(
    engine: Engine, senders: Mapping[NoticeKind, Sender], render: DigestRenderer, now: Optional[datetime] = None
) -> DeliveryReport:
    """Once the oldest waiting digest line is due, sends every waiting line in one notice per way the firm is
    told (`render` makes each one's payload), and marks them all delivered; a failure puts them all back."""
    now = now or _now()
    ways = [kind for kind in (NoticeKind.EMAIL, NoticeKind.WEBHOOK) if kind in senders]
    waiting = and_(notices.c.delivered_at.is_(None), notices.c.kind == NoticeKind.DIGEST.value)
    free = or_(notices.c.claimed_until.is_(None), notices.c.claimed_until < now)
    with engine.begin() as connection:
        due = connection.execute(select(notices.c.id).where(waiting, free, notices.c.next_attempt_at <= now)).first()
        if not ways or due is None:
            return DeliveryReport()
        rows = connection.execute(select(notices).where(waiting, free).order_by(notices.c.id)).all()
        ids = [row.id for row in rows]
        # One worker takes them: a second finds them claimed (or, on a race, claims none of those taken).
        taken = connection.execute(
            update(notices).where(notices.c.id.in_(ids), free).values(claimed_until=now + LEASE)
        ).rowcount
        if taken != len(ids):
            raise RuntimeError("digest lines claimed by another worker")
    payloads = render([row.payload for row in rows])
    attempts = max(row.attempts for row in rows) + 1
    try:
        for kind in ways:
            senders[kind](PendingNotice(ids[0], kind, payloads[kind], attempts - 1))
    except Exception as error:  # noqa: BLE001 - any failure means "try again later"
        logger.warning("digest of %s notices failed, attempt %s: %s", len(ids), attempts, type(error).__name__)
        values = _failed(attempts, now, error)
        report = DeliveryReport(failed=len(ids))
    else:
        logger.info("digest of %s notices delivered", len(ids))
        values = _delivered(attempts)
        report = DeliveryReport(delivered=len(ids))
    with engine.begin() as connection:
        connection.execute(update(notices).where(notices.c.id.in_(ids)).values(**values))
    return report


def deliver_due(engine: Engine, senders: Mapping[NoticeKind, Sender], now: Optional[datetime] = None) -> DeliveryReport:
    """Sends every due notice of a kind there is a sender for; returns what happened."""
    now = now or _now()
    delivered = failed = 0
    for notice in _claim(engine, now, senders.keys()):
        try:
            senders[notice.kind](notice)
        except Exception as error:  # noqa: BLE001 - any failure means "try again later"
            failed += 1
            attempts = notice.attempts + 1
            # The error's type only: its message may quote an address.
            logger.warning(
                "notice %s (%s) failed, attempt %s: %s", notice.id, notice.kind.value, attempts, type(error).__name__
            )
            values = _failed(attempts, now, error)
        else:
            delivered += 1
            logger.info("notice %s (%s) delivered", notice.id, notice.kind.value)
            values = _delivered(notice.attempts + 1)
        with engine.begin() as connection:
            connection.execute(update(notices).where(notices.c.id == notice.id).values(**values))
    return DeliveryReport(delivered, failed)
