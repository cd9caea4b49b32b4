"""The notice worker's round: the cases kept while the database was down are stored before notices go out."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, select

from bot.settings import notice_settings
from bot.storage import notice_worker, pending_cases
from bot.storage.case_records import list_cases
from bot.storage.outbox import Notice, NoticeKind
from bot.storage.pending_cases import save_case_or_keep_pending, shared_pending_cases
from bot.storage.schema import notices
from tests.storage.case_factory import a_case

pytestmark = pytest.mark.unit


def test_one_round_stores_the_cases_an_action_server_left_pending(engine, database_url, monkeypatch, capsys):
    # An action server that kept a case and stopped before the database came back.
    monkeypatch.setattr(pending_cases, "CASE_SAVE_WAITS", ())
    down = create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none", future=True)
    told = save_case_or_keep_pending(
        down,
        shared_pending_cases(),
        a_case(),
        lambda stored: [Notice(NoticeKind.WEBHOOK, {"reference": stored.reference})],
        retry_seconds=3600,
    )
    down.dispose()

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.delenv("NOTICE_WEBHOOK_URL", raising=False)
    notice_settings.cache_clear()
    try:
        assert notice_worker.main(["--once"]) == 0
    finally:
        notice_settings.cache_clear()
    assert [case.reference for case in list_cases(engine)] == [told.reference]
    assert shared_pending_cases().count() == 0
    with engine.connect() as connection:
        assert [row.payload for row in connection.execute(select(notices))] == [{"reference": told.reference}]


def test_a_pending_file_that_cannot_be_stored_never_blocks_the_notices(engine, monkeypatch, tmp_path):
    pending = shared_pending_cases()
    monkeypatch.setattr(pending, "flush", lambda engine: (_ for _ in ()).throw(PermissionError("denied")))
    rounds = []
    stop = threading.Event()

    def deliver(engine, senders):
        rounds.append(1)
        stop.set()

    monkeypatch.setattr(notice_worker, "deliver_due", deliver)
    notice_worker.run(engine, {}, 0.01, stop, pending)
    assert rounds == [1]
