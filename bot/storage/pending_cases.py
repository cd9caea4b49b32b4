"""Cases kept on the action server's disk while the database is down, written to it when it answers.

A consultation request is the one thing the person cannot easily give again: they consented, typed
their contact details and were told a reference. So a case whose database write fails for lack of a
connection is not given up: it is written, with its notices, to a private file in the pending folder
(PENDING_CASES_DIR), and the person gets the same reference and the same answer as any other. A
thread of the action server, and each round of the notice worker, write the pending files to the
database and delete each one once its case is stored. Saving is idempotent (one case per
conversation), so two processes flushing the same file store it once.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import asdict, fields
from datetime import date, datetime
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.domain.consultation import NewCase
from bot.settings import pending_case_settings
from bot.storage.case_records import ReferenceTaken, StoredCase, save_case, store_with_reference
from bot.storage.database import lost_connection
from bot.storage.outbox import Notice, NoticeKind

logger = logging.getLogger(__name__)

SUFFIX = ".json"
HELD = ".held"
# Dates and times as ISO text in the file; these fields are read back into their types.
DATE_FIELDS = ("decision_date", "last_day")
DATETIME_FIELDS = ("consent_at", "created_at", "contacted_at")


def _encode(case: StoredCase, case_notices: Sequence[Notice]) -> str:
    values = asdict(case)
    values["causes"] = list(case.causes)
    for name, value in values.items():
        if isinstance(value, (date, datetime)):
            values[name] = value.isoformat()
    return json.dumps(
        {"case": values, "notices": [{"kind": n.kind.value, "payload": n.payload} for n in case_notices]},
        ensure_ascii=False,
    )


def _decode(text: str) -> Tuple[StoredCase, List[Notice]]:
    data = json.loads(text)
    values: Dict[str, Any] = data["case"]
    for name in DATE_FIELDS:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    for name in DATETIME_FIELDS:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    values["causes"] = tuple(values["causes"])
    known = {field.name for field in fields(StoredCase)}
    case = StoredCase(**{name: value for name, value in values.items() if name in known})
    return case, [Notice(NoticeKind(n["kind"]), n["payload"]) for n in data["notices"]]


class PendingCases:
    """The pending folder: one file per conversation, named by a hash so that no id reaches the file system."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._flushing: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def _path(self, conversation_id: str) -> Path:
        return self.folder / (sha256(conversation_id.encode()).hexdigest() + SUFFIX)

    def keep(self, case: StoredCase, case_notices: Sequence[Notice]) -> None:
        """Writes the case durably: a private temporary file, flushed to disk, then renamed into place."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")  # created 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(_encode(case, case_notices))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self._path(case.conversation_id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        logger.warning("Cases: database unreachable; case kept in the pending folder until it answers.")

    def count(self) -> int:
        return len(list(self.folder.glob("*" + SUFFIX))) if self.folder.is_dir() else 0

    def flush(self, engine: Engine) -> int:
        """Stores every pending case; returns how many were stored. Stops at the first lost connection."""
        stored = 0
        for path in sorted(self.folder.glob("*" + SUFFIX)) if self.folder.is_dir() else ():
            try:
                case, case_notices = _decode(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                continue  # another process stored it meanwhile
            except (ValueError, KeyError, TypeError):
                self._hold(path, "cannot be read")
                continue
            try:
                # No waits here: the caller's next round is the retry.
                store_with_reference(engine, case, case_notices, waits=())
            except DBAPIError as error:
                if lost_connection(error):
                    return stored
                raise
            except ReferenceTaken:
                # The person was told this reference: it is not changed behind their back (odds of a
                # clash: one in 10^11 per stored case).
                self._hold(path, "has a reference another case took")
                continue
            path.unlink(missing_ok=True)
            stored += 1
        if stored:
            logger.info("Cases: %d pending case(s) stored.", stored)
        return stored

    def _hold(self, path: Path, why: str) -> None:
        """Sets a file aside for the operator, never deleted and no longer retried."""
        path.replace(path.with_suffix(HELD))
        logger.error("Cases: a pending case %s; set aside as %s for the operator.", why, path.with_suffix(HELD).name)

    def flush_in_background(self, engine: Engine, interval: float) -> None:
        """Starts, unless one runs, a thread that flushes every `interval` seconds until nothing is pending."""
        with self._lock:
            if self._flushing is None:
                self._flushing = threading.Thread(
                    target=self._flush_until_empty, args=(engine, interval), name="pending-cases", daemon=True
                )
                self._flushing.start()

    def _flush_until_empty(self, engine: Engine, interval: float) -> None:
        while True:
            # Checked under the lock: a case kept after this check finds no thread and starts one.
            with self._lock:
                if not self.count():
                    self._flushing = None
                    return
            try:
                self.flush(engine)
            except Exception as error:  # noqa: BLE001 - the thread must outlive any one failed round
                logger.error("Cases: pending round failed: %s", type(error).__name__)
            if self.count():
                time.sleep(interval)


# A case save waits about three seconds for the database, then the case is kept on disk: the action
# gateway gives up on an action after 10 s, and the person should hear their reference well before.
CASE_SAVE_WAITS = (0.2, 0.5, 1.0, 1.5)


def save_case_or_keep_pending(
    engine: Engine,
    pending: PendingCases,
    case: NewCase,
    notices_for: Callable[[StoredCase], Sequence[Notice]],
    retry_seconds: float,
) -> StoredCase:
    """Stores the case, or keeps it in `pending` when the database cannot be reached; either way the
    returned reference is the one the firm will see. Raises what else fails (a full disk, a bad schema)."""

    def keep(stored: StoredCase, case_notices: Sequence[Notice]) -> None:
        pending.keep(stored, case_notices)
        pending.flush_in_background(engine, retry_seconds)

    return save_case(engine, case, notices_for, waits=CASE_SAVE_WAITS, if_unreachable=keep)


@lru_cache(maxsize=1)
def shared_pending_cases() -> PendingCases:
    """One pending folder per process, as the settings name it (never at import)."""
    return PendingCases(pending_case_settings().folder)
