import asyncio
import os
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.domain import clock
from bot.settings import pending_case_settings
from bot.storage.database import downgrade, make_engine, upgrade
from bot.storage.pending_cases import shared_pending_cases
from bot.texts import domain_file

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 29)

# Every test has a tier, the most demanding of its markers: unit (no service, no trained model),
# integration (a real PostgreSQL or Redis), system (servers, the trained model, spaCy's model or a
# browser). `make check` runs the tests whose tier is unit.
TIERS = ("unit", "integration", "system")


def pytest_collection_modifyitems(config, items):
    untiered = [item.nodeid for item in items if not any(item.get_closest_marker(tier) for tier in TIERS)]
    if untiered:
        raise pytest.UsageError("tests without a tier marker (unit, integration, system): " + ", ".join(untiered))


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return domain_file()


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """Every test runs on 29 November 2026, whatever the machine's clock says."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture(autouse=True)
def pending_cases_folder(monkeypatch, tmp_path):
    """Cases kept while a database is down go to the test's own folder, never to the checkout's var/."""
    folder = tmp_path / "pending-cases"
    monkeypatch.setenv("PENDING_CASES_DIR", str(folder))
    pending_case_settings.cache_clear(), shared_pending_cases.cache_clear()
    yield folder
    if shared_pending_cases.cache_info().currsize:
        shared_pending_cases().close()  # no background round outlives its test
    pending_case_settings.cache_clear(), shared_pending_cases.cache_clear()


@pytest.fixture
def make_tracker(domain):
    """A tracker at the point where the person has just sent `text`.

    `slots` hold what was known before the message; `extracted` are the slots Rasa's
    mappings filled from this very message (what a form validation action must validate);
    `history` are earlier events, oldest first.
    """

    def make(
        text: str = "",
        intent: Optional[str] = None,
        slots: Optional[Dict[str, Any]] = None,
        extracted: Optional[Dict[str, Any]] = None,
        entities: Iterable[Dict[str, Any]] = (),
        intent_ranking: Optional[List[Dict[str, Any]]] = None,
        active_loop: Optional[str] = None,
        history: Iterable[Dict[str, Any]] = (),
        parsed: Optional[Dict[str, Any]] = None,  # what else the NLU put in the message (a letter's facts)
    ) -> Tracker:
        all_slots = {name: None for name in domain["slots"]}
        all_slots.update(slots or {})
        all_slots.update(extracted or {})
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": list(entities),
            "intent_ranking": intent_ranking or ([{"name": intent, "confidence": 1.0}] if intent else []),
            **(parsed or {}),
        }
        events = (
            list(history)
            + [
                {"event": "action", "name": "action_listen"},
                {"event": "user", "text": text, "parse_data": latest_message, "input_channel": "rest"},
            ]
            + [{"event": "slot", "name": name, "value": value} for name, value in (extracted or {}).items()]
        )
        return Tracker(
            sender_id="test-conversation",
            slots=all_slots,
            latest_message=latest_message,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return make


class Run:
    """What an action said and did."""

    def __init__(self, dispatcher: CollectingDispatcher, events: List[Dict[str, Any]]):
        self.messages = dispatcher.messages
        self.events = events

    @property
    def responses(self) -> List[str]:
        return [message.get("response") for message in self.messages]

    def message(self, response: str) -> Dict[str, Any]:
        return next(message for message in self.messages if message.get("response") == response)

    @property
    def slots(self) -> Dict[str, Any]:
        return {event["name"]: event["value"] for event in self.events if event.get("event") == "slot"}


@pytest.fixture
def run_action(domain):
    def run(action, tracker: Tracker) -> Run:
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, domain))
        return Run(dispatcher, events)

    return run


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


def _drop_conversation_history(url: str) -> None:
    # Rasa's own table, not under our migrations: tests that create it leave no trace for the next.
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("drop table if exists events"))
    engine.dispose()


def empty_database(url: str) -> str:
    """`url` at the latest schema, with no case, notice or conversation left by an earlier test."""
    _drop_conversation_history(url)
    downgrade(url)
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request, tmp_path):
    """An empty database at the latest schema: a SQLite file, then the real PostgreSQL server."""
    url = empty_database(f"sqlite:///{tmp_path / 'cases.db'}" if request.param == "sqlite" else _postgres_url())
    yield url
    downgrade(url)
    _drop_conversation_history(url)


@pytest.fixture(scope="module")
def postgres_database():
    """The real PostgreSQL server, emptied, for tests that run several servers on one database."""
    url = empty_database(_postgres_url())
    yield url
    downgrade(url)
    _drop_conversation_history(url)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def channel_stack(tmp_path_factory):
    """`rasa run` with every channel and its HTTP API behind a random token (tests/system/channel_stack.py),
    started once for both test_hostile_input.py and test_http_api_security.py."""
    from tests.system.channel_stack import channel_stack as start

    with start(tmp_path_factory.mktemp("channel_stack")) as stack:
        yield stack
