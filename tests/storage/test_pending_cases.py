"""Cases kept on disk while the database is down: the person keeps their reference, the firm gets the case."""

from __future__ import annotations

import stat
import time
from dataclasses import asdict

import pytest
from sqlalchemy import create_engine, select, update

from bot.storage import pending_cases as pending_module
from bot.storage.case_records import get_case, list_cases, save_case
from bot.storage.database import upgrade
from bot.storage.outbox import Notice, NoticeKind
from bot.storage.pending_cases import PendingCases, save_case_or_keep_pending
from bot.storage.schema import handoff_cases, notices
from tests.storage.case_factory import a_case

pytestmark = pytest.mark.unit

# Nothing listens on port 1: every connection is refused at once, as during a PostgreSQL restart.
UNREACHABLE = "postgresql+psycopg2://nobody@127.0.0.1:1/none"


def _notices(stored):
    return [Notice(NoticeKind.EMAIL, {"subject": f"Nouveau dossier {stored.reference}", "body": "…"})]


@pytest.fixture
def no_waits(monkeypatch):
    monkeypatch.setattr(pending_module, "CASE_SAVE_WAITS", ())


@pytest.fixture
def unreachable():
    engine = create_engine(UNREACHABLE, future=True)
    yield engine
    engine.dispose()


def _facts(case):
    # SQLite gives times back without their zone: the rest must come back as it was told.
    return dict(asdict(case), consent_at=None, created_at=None)


def _wait_for(condition, timeout=30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_case_whose_database_is_down_is_kept_privately_then_stored_with_its_reference(
    engine, unreachable, tmp_path, no_waits
):
    pending = PendingCases(tmp_path / "pending")
    told = save_case_or_keep_pending(unreachable, pending, a_case(), _notices, retry_seconds=3600)
    assert pending.count() == 1
    (kept,) = (tmp_path / "pending").glob("*.json")
    assert "conv-1" not in kept.name  # no conversation id in a file name
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "pending").stat().st_mode) == 0o700

    assert pending.flush(engine) == 1
    assert _facts(get_case(engine, told.reference)) == _facts(told)
    with engine.connect() as connection:
        assert [row.payload["subject"] for row in connection.execute(select(notices))] == [
            f"Nouveau dossier {told.reference}"
        ]
    assert pending.count() == 0


def test_a_reachable_database_stores_at_once_and_keeps_nothing_on_disk(engine, tmp_path):
    pending = PendingCases(tmp_path / "pending")
    stored = save_case_or_keep_pending(engine, pending, a_case(), _notices, retry_seconds=3600)
    assert list_cases(engine) == [stored] and pending.count() == 0


def test_two_processes_flushing_the_same_folder_store_each_case_once(engine, unreachable, tmp_path, no_waits):
    folder = tmp_path / "pending"
    told = [
        save_case_or_keep_pending(unreachable, PendingCases(folder), a_case(f"conv-{n}"), _notices, 3600)
        for n in range(3)
    ]
    assert PendingCases(folder).flush(engine) == 3
    assert PendingCases(folder).flush(engine) == 0
    assert sorted(case.reference for case in list_cases(engine)) == sorted(case.reference for case in told)


def test_a_case_kept_after_the_conversation_was_stored_is_not_stored_twice(engine, unreachable, tmp_path, no_waits):
    pending = PendingCases(tmp_path / "pending")
    first = save_case(engine, a_case())
    save_case_or_keep_pending(unreachable, pending, a_case(), _notices, 3600)
    assert pending.flush(engine) == 1
    assert [case.reference for case in list_cases(engine)] == [first.reference]


def test_a_pending_case_whose_reference_was_taken_is_set_aside_not_lost(engine, unreachable, tmp_path, no_waits):
    pending = PendingCases(tmp_path / "pending")
    told = save_case_or_keep_pending(unreachable, pending, a_case("conv-1"), _notices, 3600)
    other = save_case(engine, a_case("conv-2"))
    with engine.begin() as connection:  # the one-in-10^11 clash, made certain
        connection.execute(
            update(handoff_cases).where(handoff_cases.c.reference == other.reference).values(reference=told.reference)
        )
    assert pending.flush(engine) == 0
    assert pending.count() == 0 and len(list((tmp_path / "pending").glob("*.held"))) == 1
    assert [case.conversation_id for case in list_cases(engine)] == ["conv-2"]


def test_an_unreadable_pending_file_is_set_aside_and_the_others_are_stored(engine, unreachable, tmp_path, no_waits):
    folder = tmp_path / "pending"
    pending = PendingCases(folder)
    save_case_or_keep_pending(unreachable, pending, a_case(), _notices, 3600)
    (folder / "0000.json").write_text("{not json")
    assert pending.flush(engine) == 1
    assert [path.name for path in folder.glob("*.held")] == ["0000.held"]


def test_the_background_round_stores_the_case_once_the_database_answers(tmp_path, no_waits):
    # A SQLite file in a folder that does not exist yet: unreachable until the folder and schema appear.
    url = f"sqlite:///{tmp_path / 'later' / 'cases.db'}"
    engine = create_engine(url, future=True)
    pending = PendingCases(tmp_path / "pending")
    told = save_case_or_keep_pending(engine, pending, a_case(), _notices, retry_seconds=0.05)
    assert pending.count() == 1
    upgrade(url)  # creates the folder: the database now answers
    assert _wait_for(lambda: pending.count() == 0)
    assert _facts(get_case(engine, told.reference)) == _facts(told)
    engine.dispose()
