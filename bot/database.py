"""The database behind the firm's cases: DATABASE_URL, a SQLite file by default, PostgreSQL in production."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = ROOT / "var" / "assistant.db"


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def ensure_sqlite_folder(url: str) -> None:
    # The default database is created on first run, with nothing to install.
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: Optional[str] = None) -> Engine:
    url = url or database_url()
    ensure_sqlite_folder(url)
    # pre_ping: a PostgreSQL restart leaves dead pooled connections; they are replaced, not surfaced.
    return create_engine(url, future=True, pool_pre_ping=True)


# A PostgreSQL restart takes a few seconds: a read or write that lost its connection is tried
# again over about seven, then the error goes up.
RECONNECT_WAITS = (0.2, 0.5, 1.0, 2.0, 3.5)


def lost_connection(error: DBAPIError) -> bool:
    return isinstance(error, OperationalError) or bool(error.connection_invalidated)


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
