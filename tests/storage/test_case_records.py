"""Storage of the firm's cases, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import inspect, select, text

from bot.storage.case_records import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    erase_case,
    get_case,
    list_cases,
    mark_contacted,
    new_reference,
    save_case,
)
from bot.storage.database import downgrade, make_engine, upgrade
from tests.storage.case_factory import a_case

pytestmark = pytest.mark.unit


def test_a_case_is_stored_with_a_readable_reference(engine):
    stored = save_case(engine, a_case())
    assert len(stored.reference) == REFERENCE_LENGTH
    assert set(stored.reference) <= set(REFERENCE_ALPHABET)
    again = get_case(engine, stored.reference.lower())
    assert again == stored
    assert again.causes == ("missing_documents", "misrepresentation")
    assert again.decision_date == date(2026, 11, 25)
    assert again.urgent is True


def test_submitting_twice_in_one_conversation_keeps_one_record(engine):
    first = save_case(engine, a_case())
    second = save_case(engine, a_case(name="Awa E."))
    assert second.reference == first.reference
    assert len(list_cases(engine)) == 1


def test_concurrent_submissions_neither_duplicate_nor_lose(engine):
    conversations = [f"conv-{i}" for i in range(20)]
    submissions = conversations * 3
    with ThreadPoolExecutor(max_workers=8) as pool:
        stored = list(pool.map(lambda c: save_case(engine, a_case(c)), submissions))
    assert sorted(case.conversation_id for case in list_cases(engine)) == sorted(conversations)
    by_conversation = {}
    for case in stored:
        assert by_conversation.setdefault(case.conversation_id, case.reference) == case.reference


def test_a_reference_another_case_holds_is_drawn_again(engine, monkeypatch):
    from bot.storage import case_records

    first = save_case(engine, a_case("conv-1"))
    draws = iter([first.reference, "CDEFGHJK"])
    monkeypatch.setattr(case_records, "new_reference", lambda: next(draws))
    assert save_case(engine, a_case("conv-2")).reference == "CDEFGHJK"


def test_erasing_leaves_no_trace(engine):
    stored = save_case(engine, a_case())
    save_case(engine, a_case("conv-2", email="other@example.org", phone="+15145550199"))
    assert erase_case(engine, stored.reference)
    assert get_case(engine, stored.reference) is None
    assert not erase_case(engine, stored.reference)
    with engine.connect() as connection:
        dump = " ".join(str(row) for row in connection.execute(text("select * from handoff_cases")))
    assert "awa@example.org" not in dump and "+221770000000" not in dump
    assert "other@example.org" in dump


def test_references_are_drawn_without_ambiguous_characters():
    references = {new_reference() for _ in range(500)}
    assert len(references) == 500
    assert not set("".join(references)) & set("0O1IL5S2Z8B")


def test_migrations_build_exactly_the_schema_the_code_uses(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.storage.schema import metadata

    engine = make_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_migrations_upgrade_an_empty_database_and_go_back(database_url):
    engine = make_engine(database_url)
    assert "handoff_cases" in inspect(engine).get_table_names()
    downgrade(database_url)
    assert "handoff_cases" not in inspect(engine).get_table_names()
    upgrade(database_url)
    assert "handoff_cases" in inspect(engine).get_table_names()
    engine.dispose()


def test_default_database_is_a_sqlite_file_created_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr("bot.storage.database.DEFAULT_SQLITE_PATH", tmp_path / "var" / "assistant.db")
    upgrade()
    assert (tmp_path / "var" / "assistant.db").exists()


def test_a_case_and_its_notices_are_written_together_or_not_at_all(engine):
    from bot.storage.outbox import Notice, NoticeKind
    from bot.storage.schema import notices

    def failing(stored):
        raise RuntimeError("rendering failed")

    try:
        save_case(engine, a_case(), failing)
    except RuntimeError:
        pass
    assert list_cases(engine) == []

    first = save_case(engine, a_case(), lambda s: [Notice(NoticeKind.EMAIL, {"subject": s.reference, "body": ""})])
    again = save_case(engine, a_case(), lambda s: [Notice(NoticeKind.EMAIL, {"subject": s.reference, "body": ""})])
    assert again.reference == first.reference
    with engine.connect() as connection:
        assert [row.payload["subject"] for row in connection.execute(select(notices))] == [first.reference]


def test_list_puts_urgent_cases_first_then_the_newest(engine):
    save_case(engine, a_case("old-urgent", urgent=True))
    save_case(engine, a_case("calm", urgent=False))
    save_case(engine, a_case("new-urgent", urgent=True))
    assert [case.conversation_id for case in list_cases(engine)] == ["new-urgent", "old-urgent", "calm"]


def test_a_case_is_marked_contacted(engine):
    stored = save_case(engine, a_case())
    when = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
    assert mark_contacted(engine, stored.reference, when)
    assert get_case(engine, stored.reference).contacted_at.replace(tzinfo=timezone.utc) == when
    assert not mark_contacted(engine, "NOPE", when)


def test_migrations_upgrade_a_database_at_the_previous_revision_keeping_its_cases(database_url):
    downgrade(database_url)
    upgrade(database_url, "0001")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into handoff_cases (reference, conversation_id, channel, name, consent_version,"
                " consent_at, causes, urgent, created_at) values ('ACDEFGHJ', 'conv-old', 'rest', 'Awa',"
                " '2026-11-01', :now, '[\"low_score\"]', false, :now)"
            ),
            {"now": datetime(2026, 11, 1, tzinfo=timezone.utc)},
        )
    upgrade(database_url)
    old = get_case(engine, "ACDEFGHJ")
    assert old.name == "Awa" and old.causes == ("low_score",) and old.contacted_at is None
    assert "notices" in inspect(engine).get_table_names()
    engine.dispose()
