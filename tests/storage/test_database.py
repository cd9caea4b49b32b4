"""Reads and writes tried again while PostgreSQL restarts, in their sync (cases) and async (history) forms."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from bot.storage import database

pytestmark = pytest.mark.unit


def _lost() -> OperationalError:
    return OperationalError("select", {}, ConnectionError("server closed the connection"))


def _sync(call):
    return database.reconnecting(call, "Test")


def _async(call):
    async def coroutine():
        return call()

    return asyncio.run(database.reconnecting_async(coroutine, "Test"))


@pytest.fixture(params=[_sync, _async], ids=["sync", "async"])
def run(request, monkeypatch):
    monkeypatch.setattr(database, "RECONNECT_WAITS", (0.01, 0.01, 0.01))
    return request.param


def _failing(errors):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "answered"

    return call, calls


def test_a_database_that_comes_back_within_seconds_only_delays_the_call(run, caplog):
    call, calls = _failing([_lost(), _lost()])
    assert run(call) == "answered"
    assert len(calls) == 3
    assert [r.getMessage() for r in caplog.records] == ["Test: database unreachable; trying again in 0.0 s."] * 2


def test_a_database_still_down_after_the_retries_raises(run):
    call, calls = _failing([_lost()] * 10)
    with pytest.raises(OperationalError):
        run(call)
    assert len(calls) == len(database.RECONNECT_WAITS) + 1


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("insert", {}, Exception("duplicate key")),
        ProgrammingError("select", {}, Exception("syntax error")),
    ],
)
def test_an_error_that_is_not_a_lost_connection_goes_up_at_once(run, error):
    call, calls = _failing([error])
    with pytest.raises(type(error)):
        run(call)
    assert len(calls) == 1


class _PostgresError(Exception):
    def __init__(self, pgcode):
        super().__init__(f"SQLSTATE {pgcode}")
        self.pgcode = pgcode


def _sqlite_error(message):
    import sqlite3

    return OperationalError("insert", {}, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    "error, unreachable",
    [
        (OperationalError("connect", {}, _PostgresError("57P01")), True),  # the server is shutting down
        (OperationalError("connect", {}, _PostgresError("57P03")), True),  # starting up
        (OperationalError("connect", {}, _PostgresError("08006")), True),  # connection failure
        (OperationalError("insert", {}, _PostgresError("53100")), False),  # disk full: not a restart
        (OperationalError("connect", {}, ConnectionRefusedError("refused")), True),  # no SQL state: no server
        (_sqlite_error("database is locked"), True),
        (_sqlite_error("unable to open database file"), True),
        (_sqlite_error("no such table: handoff_cases"), False),
        (_sqlite_error("attempt to write a readonly database"), False),
    ],
)
def test_only_a_database_out_of_reach_counts_as_a_lost_connection(error, unreachable):
    assert database.lost_connection(error) is unreachable
