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
    return create_engine(url, future=True, pool_pre_ping=True)


# A PostgreSQL restart takes a few seconds, more on a busy machine: a read or write that lost its
# connection is tried again over about half a minute, then the error goes up. Only Rasa's own lock
# (60 s) and the HTTP client wait above a conversation's history; a case save, which the action
# gateway's 10 s timeout bounds, waits less and is then kept on disk (bot/storage/pending_cases.py).
RECONNECT_WAITS = (0.2, 0.5, 1.0, 2.0, 3.5, 5.0, 8.0, 10.0)


def lost_connection(error: DBAPIError) -> bool:
    # A constraint violation is the database's answer, never a lost connection: trying again cannot help.
    if isinstance(error, IntegrityError):
        return False
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)


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
