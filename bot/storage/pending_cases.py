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
import stat
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from bot.domain.consultation import NewCase
from bot.settings import pending_case_settings
from bot.storage.case_records import ReferenceTaken, StoredCase, save_case, store_with_reference
from bot.storage.database import CONNECT_TIMEOUT_SECONDS, lost_connection
from bot.storage.outbox import Notice, NoticeKind

logger = logging.getLogger(__name__)

SUFFIX = ".json"
HELD = ".held"
TEMPORARY = ".tmp"
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


@dataclass(frozen=True)
class Kept:
    path: Path
    case: StoredCase
    notices: List[Notice]


class PendingCases:
    """The pending folder: one file per kept case, under a random name (no person's id reaches the disk's names)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._flushing: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._last_warning = 0.0

    def keep(self, case: StoredCase, case_notices: Sequence[Notice]) -> StoredCase:
        """Writes the case durably, or returns the case already kept for its conversation.

        A conversation keeps one reference: a second run of the same request (the gateway's
        failover, a retry) is told the reference the first run kept, never a new one.
        """
        with self._lock:
            already = self.kept_for(case.conversation_id)
            if already is not None:
                return already.case
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if stat.S_IMODE(self.folder.stat().st_mode) != 0o700:
                self.folder.chmod(0o700)
            descriptor, temporary = tempfile.mkstemp(dir=self.folder, suffix=TEMPORARY)  # created 0600
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    file.write(_encode(case, case_notices))
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, self.folder / (uuid.uuid4().hex + SUFFIX))
                _sync_folder(self.folder)  # the rename itself survives a power cut
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        logger.warning("Cases: database unreachable; case kept in the pending folder until it answers.")
        return case

    def _files(self) -> List[Path]:
        try:
            return sorted(self.folder.glob("*" + SUFFIX)) if self.folder.is_dir() else []
        except OSError as error:
            logger.error("Cases: the pending folder cannot be read (%s).", type(error).__name__)
            return []

    def count(self) -> int:
        return len(self._files())

    def _read(self, path: Path) -> Optional[Kept]:
        """The file's case; None when another process took it, or when it cannot be read (set aside)."""
        try:
            case, case_notices = _decode(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self._hold(path, "cannot be read")
            return None
        return Kept(path, case, case_notices)

    def kept_for(self, conversation_id: str) -> Optional[Kept]:
        for path in self._files():
            kept = self._read(path)
            if kept is not None and kept.case.conversation_id == conversation_id:
                return kept
        return None

    def flush(self, engine: Engine) -> int:
        """Stores every pending case; returns how many were written. Stops at the first lost connection.

        Never raises for one file: a file that cannot be stored is set aside or left for the next
        round, and said in the log, so that it blocks neither the others nor the notices.
        """
        written = 0
        for path in self._files():
            kept = self._read(path)
            if kept is None:
                continue
            try:
                # No waits here: the caller's next round is the retry.
                stored = store_with_reference(engine, kept.case, kept.notices, waits=())
            except DBAPIError as error:
                if lost_connection(error):
                    self._warn_still_pending()
                    return written
                logger.error(
                    "Cases: a pending case could not be stored (%s); tried again next round.", type(error).__name__
                )
                continue
            except ReferenceTaken:
                # The person was told this reference: it is not changed behind their back (odds of a
                # clash: one in 10^11 per stored case).
                self._hold(path, "has a reference another case took")
                continue
            except Exception as error:  # noqa: BLE001 - one file must not stop the others
                logger.error(
                    "Cases: a pending case could not be stored (%s); tried again next round.", type(error).__name__
                )
                continue
            if stored.reference != kept.case.reference:
                # The same request ran twice (a failover) and both runs answered: the firm has one
                # reference and the person may hold the other. The operator reconciles them.
                self._hold(path, "duplicates a stored case under another reference")
                continue
            path.unlink(missing_ok=True)
            written += 1
        if written:
            logger.info("Cases: %d pending case(s) stored.", written)
        return written

    def _warn_still_pending(self) -> None:
        # Loud but not flooding: once a minute while cases wait.
        now = time.monotonic()
        if now - self._last_warning >= 60:
            self._last_warning = now
            logger.error("Cases: %d case(s) pending while the database is unreachable.", self.count())

    def _hold(self, path: Path, why: str) -> None:
        """Sets a file aside for the operator (see deploy/README.md), no longer retried."""
        try:
            path.replace(self.folder / (uuid.uuid4().hex + HELD))
        except FileNotFoundError:
            return  # another process handled it
        logger.error("Cases: a pending case %s; set aside (*%s) for the operator.", why, HELD)

    def flush_in_background(self, engine: Engine, interval: float) -> None:
        """Starts, unless one runs, a thread that flushes every `interval` seconds until nothing is pending."""
        with self._lock:
            if self._flushing is None and not self._stop.is_set():
                self._flushing = threading.Thread(
                    target=self._flush_until_empty, args=(engine, max(interval, 0.1)), name="pending-cases", daemon=True
                )
                self._flushing.start()

    def _flush_until_empty(self, engine: Engine, interval: float) -> None:
        try:
            # The save has just failed: the first round waits one interval too.
            while not self._stop.wait(interval):
                # Checked under the lock: a case kept after this check finds no thread and starts one.
                with self._lock:
                    if not self.count():
                        self._flushing = None
                        return
                try:
                    self.flush(engine)
                except Exception as error:  # noqa: BLE001 - the thread must outlive any one failed round
                    logger.error("Cases: pending round failed: %s", type(error).__name__)
        finally:
            # Stopped or failed: a later case starts a new thread.
            with self._lock:
                if self._flushing is threading.current_thread():
                    self._flushing = None

    def purge(self, older_than: float) -> int:
        """Deletes the set-aside, pending and half-written files last written before `older_than`
        (a Unix time): the retention period reaches the files on disk too."""
        removed = 0
        for pattern in ("*" + HELD, "*" + SUFFIX, "*" + TEMPORARY):
            for path in self.folder.glob(pattern) if self.folder.is_dir() else ():
                try:
                    if path.is_file() and path.stat().st_mtime < older_than:
                        path.unlink()
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed

    def close(self) -> None:
        """Stops the background round (files stay on disk for the next process or the notice worker)."""
        self._stop.set()
        thread = self._flushing
        if thread is not None:
            thread.join()


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# A case save waits two seconds for the database, then the case is kept on disk: the action gateway
# gives up on an action after 10 s by default, and even with every connection attempt running to
# its timeout (three attempts of 2 s) the person hears their reference before that.
CASE_SAVE_WAITS = (0.5, 1.5)


def longest_case_save_seconds() -> float:
    """The case save's worst time before it keeps the case on disk: each attempt's connection
    timeout, plus the waits between attempts."""
    return (len(CASE_SAVE_WAITS) + 1) * CONNECT_TIMEOUT_SECONDS + sum(CASE_SAVE_WAITS)


def save_case_or_keep_pending(
    engine: Engine,
    pending: PendingCases,
    case: NewCase,
    notices_for: Callable[[StoredCase], Sequence[Notice]],
    retry_seconds: float,
) -> StoredCase:
    """Stores the case, or keeps it in `pending` when the database cannot be reached; either way the
    returned reference is the one the firm will see. Raises what else fails (a full disk, a bad schema).

    Blocking (up to `longest_case_save_seconds()`): call it off the event loop.
    """
    already = pending.kept_for(case.conversation_id)
    if already is not None:
        pending.flush_in_background(engine, retry_seconds)
        return already.case

    def keep(stored: StoredCase, case_notices: Sequence[Notice]) -> StoredCase:
        kept = pending.keep(stored, case_notices)
        pending.flush_in_background(engine, retry_seconds)
        return kept

    return save_case(engine, case, notices_for, waits=CASE_SAVE_WAITS, if_unreachable=keep)


@lru_cache(maxsize=1)
def shared_pending_cases() -> PendingCases:
    """One pending folder per process, as the settings name it (never at import)."""
    return PendingCases(pending_case_settings().folder)
