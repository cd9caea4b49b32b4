import asyncio
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    """Every test runs on 29 November 2026, whatever the machine's clock says."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def make_tracker(domain):
    """A tracker at the point where the person has just sent `text`.

    `slots` hold what was known before the message; `extracted` are the slots Rasa's
    mappings filled from this very message (what a form validation action must validate).
    """

    def make(
        text: str = "",
        intent: Optional[str] = None,
        slots: Optional[Dict[str, Any]] = None,
        extracted: Optional[Dict[str, Any]] = None,
        entities: Iterable[Dict[str, Any]] = (),
        intent_ranking: Optional[List[Dict[str, Any]]] = None,
        active_loop: Optional[str] = None,
    ) -> Tracker:
        all_slots = {name: None for name in domain["slots"]}
        all_slots.update(slots or {})
        all_slots.update(extracted or {})
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0} if intent else {},
            "entities": list(entities),
            "intent_ranking": intent_ranking or ([{"name": intent, "confidence": 1.0}] if intent else []),
        }
        events = [
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": text, "parse_data": latest_message},
        ] + [{"event": "slot", "name": name, "value": value} for name, value in (extracted or {}).items()]
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
