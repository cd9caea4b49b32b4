"""The database behind the firm's cases: DATABASE_URL, a SQLite file by default, PostgreSQL in production."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Awaitable, Callable, Optional, Sequence, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = ROOT / "var" / "assistant.db"

logger = logging.getLogger(__name__)
Result = TypeVar("Result")


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def ensure_sqlite_folder(url: str) -> None:
    # The default database is created on first run, with nothing to install.
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: Optional[str] = None) -> Engine:
    url = url or database_url()
    ensure_sqlite_folder(url)
    # pre_ping: a PostgreSQL restart leaves dead pooled connections; they are replaced, not surfaced.
    # connect_timeout: a host that drops packets must fail in seconds, not after TCP's two minutes.
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.startswith("postgresql") else {}
    return create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)


CONNECT_TIMEOUT_SECONDS = 2

# A PostgreSQL restart takes a few seconds, more on a busy machine: a read or write of a
# conversation's history that lost its connection is tried again over about half a minute, then
# the error goes up. Above it wait Rasa's conversation lock (60 s) and the channel's HTTP client:
# a channel whose webhook times out sooner (Twilio, 15 s) may send the message again, which the
# lock then serves in turn. A case save, which the action gateway's 10 s timeout bounds, waits
# less and is then kept on disk (bot/storage/pending_cases.py).
RECONNECT_WAITS = (0.2, 0.5, 1.0, 2.0, 3.5, 5.0, 8.0, 10.0)


# PostgreSQL's SQL states for a server that is going away or not there yet: connection exceptions
# (class 08), shutting down or starting up (57P01 to 57P03), too many connections (53300).
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's only passing failures: another writer holds the file, or its folder is not there yet.
UNREACHABLE_SQLITE = ("database is locked", "unable to open database file")


def lost_connection(error: DBAPIError) -> bool:
    """True when the database could not be reached: trying again later can help.

    A constraint violation, a missing table or a refused query is the database's answer: trying
    again cannot help, and the caller must hear of it at once.
    """
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError) or isinstance(error, IntegrityError):
        return False
    code = getattr(error.orig, "pgcode", None)
    if code:
        return code.startswith(UNREACHABLE_SQLSTATES)
    if type(error.orig).__module__.startswith("sqlite3"):
        return str(error.orig).startswith(UNREACHABLE_SQLITE)
    # A driver error without a SQL state: the connection could not be opened or was cut.
    return True


def reconnecting(call: Callable[[], Result], what: str, waits: Optional[Sequence[float]] = None) -> Result:
    """`call()`, tried again while the database restarts (after each of `waits`, RECONNECT_WAITS by default)."""
    attempt = 0
    while True:
        try:
            return call()
        except DBAPIError as error:
            time.sleep(_wait_before_retry(error, attempt, what, waits))
        attempt += 1


async def reconnecting_async(call: Callable[[], Awaitable[Result]], what: str) -> Result:
    """`reconnecting` for a coroutine: the event loop serves other conversations while this one waits."""
    attempt = 0
    while True:
        try:
            return await call()
        except DBAPIError as error:
            await asyncio.sleep(_wait_before_retry(error, attempt, what))
        attempt += 1


def _wait_before_retry(error: DBAPIError, attempt: int, what: str, waits: Optional[Sequence[float]] = None) -> float:
    waits = RECONNECT_WAITS if waits is None else waits
    if attempt >= len(waits) or not lost_connection(error):
        raise error
    wait = waits[attempt]
    logger.warning("%s: database unreachable; trying again in %.1f s.", what, wait)
    return wait


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Brings the schema to `revision`: creates it on an empty database."""
    url = url or database_url()
    ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: Optional[str] = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url or database_url()), revision)


@lru_cache(maxsize=1)
def shared_engine() -> Engine:
    """One pool per process, created on first use (never at import)."""
    return make_engine()
