"""Cases kept on disk while the database is down: the person keeps their reference, the firm gets the case."""

from __future__ import annotations

import stat
import time
from dataclasses import asdict

import pytest
from sqlalchemy import create_engine, select, update

from bot.settings import action_gateway_settings
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
def folder(tmp_path):
    return tmp_path / "pending"


@pytest.fixture
def make_pending(folder):
    """PendingCases on the test's folder, each with its background round stopped after the test."""
    made = []

    def make():
        made.append(PendingCases(folder))
        return made[-1]

    yield make
    for pending in made:
        pending.close()


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
    engine, unreachable, make_pending, folder, no_waits
):
    pending = make_pending()
    told = save_case_or_keep_pending(unreachable, pending, a_case(), _notices, retry_seconds=3600)
    assert pending.count() == 1
    (kept,) = folder.glob("*.json")
    assert "conv-1" not in kept.name  # no conversation id in a file name
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700

    assert pending.flush(engine) == 1
    assert _facts(get_case(engine, told.reference)) == _facts(told)
    with engine.connect() as connection:
        assert [row.payload["subject"] for row in connection.execute(select(notices))] == [
            f"Nouveau dossier {told.reference}"
        ]
    assert pending.count() == 0


def test_a_reachable_database_stores_at_once_and_keeps_nothing_on_disk(engine, make_pending):
    pending = make_pending()
    stored = save_case_or_keep_pending(engine, pending, a_case(), _notices, retry_seconds=3600)
    assert list_cases(engine) == [stored] and pending.count() == 0


def test_two_processes_flushing_the_same_file_store_its_case_once(engine, unreachable, make_pending, folder, no_waits):
    told = save_case_or_keep_pending(unreachable, make_pending(), a_case(), _notices, 3600)
    (path,) = folder.glob("*.json")
    copy = path.read_bytes()
    # The second process read the file before the first one deleted it.
    assert make_pending().flush(engine) == 1
    path.write_bytes(copy)
    assert make_pending().flush(engine) == 1
    assert [case.reference for case in list_cases(engine)] == [told.reference]
    assert list(folder.iterdir()) == []


def test_the_same_request_run_twice_while_the_database_is_down_keeps_one_reference(unreachable, make_pending, no_waits):
    pending = make_pending()
    first = save_case_or_keep_pending(unreachable, pending, a_case(), _notices, 3600)
    again = save_case_or_keep_pending(unreachable, pending, a_case(), _notices, 3600)
    assert again.reference == first.reference and pending.count() == 1


def test_a_request_stored_under_one_reference_and_kept_under_another_is_set_aside_for_the_operator(
    engine, unreachable, make_pending, folder, no_waits, caplog
):
    # A failover ran the request twice: one run reached the database, the other found it down.
    pending = make_pending()
    stored = save_case(engine, a_case())
    save_case_or_keep_pending(unreachable, pending, a_case(), _notices, 3600)
    assert pending.flush(engine) == 0
    assert [case.reference for case in list_cases(engine)] == [stored.reference]
    assert pending.count() == 0 and len(list(folder.glob("*.held"))) == 1
    assert "duplicates a stored case under another reference" in caplog.text
    assert "conv-1" not in caplog.text and "Awa" not in caplog.text


def test_a_pending_case_whose_reference_was_taken_is_set_aside_not_lost(
    engine, unreachable, make_pending, folder, no_waits
):
    pending = make_pending()
    told = save_case_or_keep_pending(unreachable, pending, a_case("conv-1"), _notices, 3600)
    other = save_case(engine, a_case("conv-2"))
    with engine.begin() as connection:  # the one-in-10^11 clash, made certain
        connection.execute(
            update(handoff_cases).where(handoff_cases.c.reference == other.reference).values(reference=told.reference)
        )
    assert pending.flush(engine) == 0
    assert pending.count() == 0 and len(list(folder.glob("*.held"))) == 1
    assert [case.conversation_id for case in list_cases(engine)] == ["conv-2"]


def test_an_unreadable_pending_file_is_set_aside_and_the_others_are_stored(
    engine, unreachable, make_pending, folder, no_waits
):
    pending = make_pending()
    save_case_or_keep_pending(unreachable, pending, a_case(), _notices, 3600)
    (folder / "0000.json").write_text("{not json")
    (folder / "1111.json").mkdir()  # not even a file
    assert pending.flush(engine) == 1
    assert len(list(folder.glob("*.held"))) == 2 and pending.count() == 0


def test_the_background_round_stores_the_case_once_the_database_answers(tmp_path, make_pending, no_waits):
    # A SQLite file in a folder that does not exist yet: unreachable until the folder and schema appear.
    url = f"sqlite:///{tmp_path / 'later' / 'cases.db'}"
    engine = create_engine(url, future=True)
    pending = make_pending()
    told = save_case_or_keep_pending(engine, pending, a_case(), _notices, retry_seconds=0.05)
    assert pending.count() == 1
    upgrade(url)  # creates the folder: the database now answers
    assert _wait_for(lambda: pending.count() == 0)
    assert _facts(get_case(engine, told.reference)) == _facts(told)
    engine.dispose()


def test_a_case_save_gives_up_on_the_database_before_the_action_gateway_gives_up_on_the_action():
    assert pending_module.longest_case_save_seconds() < action_gateway_settings().timeout_seconds - 1
