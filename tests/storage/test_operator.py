import csv
import json
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from bot.settings import privacy_settings
from bot.storage.case_records import handoff_cases, save_case
from bot.storage.database import make_engine, upgrade
from bot.storage.operator import main
from tests.storage.case_factory import a_case, someone_else

pytestmark = pytest.mark.unit


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'firm.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_list_show_export_contacted_erase(engine, capsys, tmp_path):
    stored = save_case(engine, a_case())
    assert main(["list"]) == 0
    out = capsys.readouterr()
    assert stored.reference in out.out and "URGENT" in out.out and "to contact" in out.out
    assert "1 case(s)" in out.err

    assert main(["show", stored.reference.lower()]) == 0
    assert json.loads(capsys.readouterr().out)["email"] == "awa@example.org"

    export = tmp_path / "export.csv"
    assert main(["export", "--output", str(export)]) == 0
    with export.open(encoding="utf-8", newline="") as exported:
        [row] = list(csv.DictReader(exported))
    assert row["reference"] == stored.reference
    assert row["causes"] == "missing_documents misrepresentation"
    assert row["name"] == "Awa Exemple"

    assert main(["contacted", stored.reference]) == 0
    assert "marked as contacted" in capsys.readouterr().out
    main(["list"])
    assert "contacted 20" in capsys.readouterr().out

    assert main(["erase", stored.reference]) == 0
    assert "erased" in capsys.readouterr().out
    assert main(["erase", stored.reference]) == 1
    assert f"no case with reference '{stored.reference}'" in capsys.readouterr().err
    assert main(["show", stored.reference]) == 1
    assert main(["contacted", "WRONG"]) == 1
    capsys.readouterr()
    assert main(["export"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[1:] == []


def test_purge_removes_only_cases_past_retention(engine, capsys, monkeypatch):
    old = save_case(engine, a_case("old"))
    recent = save_case(engine, a_case("recent"))
    with engine.begin() as connection:
        connection.execute(
            update(handoff_cases)
            .where(handoff_cases.c.reference == old.reference)
            .values(created_at=datetime.now(timezone.utc) - timedelta(days=400))
        )
    monkeypatch.setenv("CASE_RETENTION_DAYS", "365")
    privacy_settings.cache_clear()
    assert main(["purge"]) == 0
    privacy_settings.cache_clear()
    assert "purged 1 case(s)" in capsys.readouterr().out
    assert main(["show", recent.reference]) == 0
    assert main(["show", old.reference]) == 1


def test_purge_reaches_the_files_set_aside_on_disk(engine, capsys, pending_cases_folder):
    pending_cases_folder.mkdir()
    old, recent = pending_cases_folder / "a.held", pending_cases_folder / "b.held"
    old.write_text("{}"), recent.write_text("{}")
    long_ago = (datetime.now(timezone.utc) - timedelta(days=400)).timestamp()
    os.utime(old, (long_ago, long_ago))
    assert main(["purge", "--older-than-days", "365"]) == 0
    assert "and 1 pending file(s) older than 365 days" in capsys.readouterr().out
    assert not old.exists() and recent.exists()


def test_migrate_creates_the_default_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new' / 'firm.db'}")
    assert main(["migrate"]) == 0
    assert (tmp_path / "new" / "firm.db").exists()


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_an_export_never_hands_a_spreadsheet_a_formula_and_is_private(engine, tmp_path, hostile):
    save_case(engine, a_case("conv-1", name=hostile, description=hostile))
    export = tmp_path / "export.csv"
    assert main(["export", "--output", str(export)]) == 0
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    with export.open(encoding="utf-8", newline="") as exported:
        [row] = list(csv.DictReader(exported))
    assert row["name"] == "'" + hostile and row["description"] == "'" + hostile


def test_the_list_marks_the_cases_announced_in_a_digest(engine, capsys, monkeypatch):
    from bot.settings import notice_settings
    from bot.storage.outbox import Notice, NoticeKind

    monkeypatch.setenv("CASE_NOTICE_CEILING_PER_HOUR", "1")
    notice_settings.cache_clear()
    try:
        notices_for = lambda stored: [Notice(NoticeKind.EMAIL, {"subject": "s", "body": "b"})]  # noqa: E731
        first, second = (save_case(engine, someone_else(n), notices_for) for n in range(2))
    finally:
        notice_settings.cache_clear()
    assert main(["list"]) == 0
    out = capsys.readouterr()
    lines = {line.split("\t")[0]: line for line in out.out.splitlines()}
    assert "(digest)" in lines[second.reference] and "(digest)" not in lines[first.reference]
    assert "1 announced in a digest" in out.err
