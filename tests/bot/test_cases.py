"""Storage of the firm's cases, on SQLite and on the real PostgreSQL server."""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from bot.cases import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    erase_case,
    get_case,
    list_cases,
    new_reference,
    save_case,
)
from bot.database import downgrade, make_engine, upgrade
from tests.bot.case_factory import a_case

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


def _postgres_url():
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and did not answer at {POSTGRES_URL}")
        pytest.skip("no PostgreSQL server here")
    finally:
        engine.dispose()
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}" if request.param == "sqlite" else _postgres_url()
    downgrade(url)
    upgrade(url)
    yield url
    downgrade(url)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


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

    from bot.cases import metadata

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
    monkeypatch.setattr("bot.database.DEFAULT_SQLITE_PATH", tmp_path / "var" / "assistant.db")
    upgrade()
    assert (tmp_path / "var" / "assistant.db").exists()
