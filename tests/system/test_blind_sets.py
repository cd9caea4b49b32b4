"""The blind message sets (tests/nlu/blind), written outside the team and never trained or tuned on: a
floor under the causes the trained model reads, so that a later data or pipeline change cannot quietly
undo it. The figures themselves, beside the peers, come from `make bench` (bench/README.md)."""

from __future__ import annotations

import pytest

from bench.message_sets import BLIND, Reading, cause_scores, load_message_set
from bot.domain.cause_reading import causes_restated
from tests.system.nlu_model import ROOT, load_agent, parse

pytestmark = pytest.mark.system

# A floor under what the model read on 3 December (short messages 0.820, stories 0.803, bench/README.md),
# a few messages below it. Issue 14 asks for 0.90, which the model does not reach yet: the floor is raised
# as the reading improves, never lowered to let a change through.
MIN_CAUSE_ACCURACY = 0.78


@pytest.fixture(scope="module")
def agent():
    return load_agent()


@pytest.fixture(scope="module")
def blind():
    return load_message_set(BLIND)


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def test_no_blind_story_or_cause_message_is_in_the_training_data(blind):
    # Dialogue messages are left out: "oui" or "merci" are in any training data.
    training = {
        _normalise(line.strip()[2:])
        for path in (ROOT / "data" / "nlu").glob("*.yml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- ")
    }
    written = ("short_causes", "stories", "not_refusal")
    leaked = [m.id for name in written for m in blind[name] if _normalise(m.text) in training]
    assert leaked == []


def _reading(result) -> Reading:
    return Reading(
        tuple(cause.value for cause in causes_restated(result)), (result.get("intent") or {}).get("name") or ""
    )


@pytest.mark.parametrize("name", ["short_causes", "stories"])
def test_blind_cause_accuracy_stays_above_the_floor(agent, blind, name):
    messages = blind[name]
    scores = cause_scores(messages, [_reading(parse(agent, message.text)) for message in messages])
    assert scores["accuracy"] >= MIN_CAUSE_ACCURACY, scores["errors"][:10]
