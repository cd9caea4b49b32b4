"""The blind message sets (tests/nlu/blind to blind8), written outside the team and never trained on: a floor
under the causes the trained model reads, so that a later data or pipeline change cannot quietly undo it. The
figures themselves, beside the peers, come from `make bench` (bench/README.md)."""

from __future__ import annotations

import pytest

from bench.message_sets import (
    MESSAGE_SETS,
    Reading,
    cause_scores,
    load_message_set,
    not_refusal_scores,
)
from bot.domain.cause_reading import causes_restated
from tests.system.nlu_model import load_agent, parse

pytestmark = pytest.mark.system

# Floors under the blind cause accuracy, short messages and stories, about three messages under what the final
# model of each report read (bench/README.md): they stop a real loss, not a message or two. Issue 14 asks for
# 0.90, not reached. First set, 3 December at 0b81ec9: 0.860 and 0.835. Second set, reported once on 4 December
# at 2227240: 0.759 and 0.811 (TF-IDF 0.690 and 0.621). Third set, reported once on 4 December at c5950a4: 0.658
# and 0.745 (TF-IDF 0.600 and 0.608). Fourth set, reported once on 5 December at bbc13c5: 0.747 and 0.803
# (TF-IDF 0.638 and 0.676); the same model read the spent sets 0.871 / 0.850, 0.793 / 0.841, 0.726 / 0.758. Fifth
# set, reported once on 5 December at 5b5b28e: 0.838 and 0.734 (TF-IDF 0.700 and 0.672). Sixth set, reported
# once on 6 December at 731dc43: 0.829 and 0.780 (TF-IDF 0.696 and 0.691). Seventh set, reported once on
# 6 December at 5886c4e: 0.774 and 0.782 (TF-IDF 0.640 and 0.677). Eighth set, reported once on 6 December
# at 368384a: 0.800 and 0.851 (TF-IDF 0.606 and 0.603).
MIN_CAUSE_ACCURACY = {
    "blind": {"short_causes": 0.85, "stories": 0.82},
    "blind2": {"short_causes": 0.77, "stories": 0.82},
    "blind3": {"short_causes": 0.70, "stories": 0.73},
    "blind4": {"short_causes": 0.73, "stories": 0.78},
    "blind5": {"short_causes": 0.81, "stories": 0.71},
    "blind6": {"short_causes": 0.81, "stories": 0.75},
    "blind7": {"short_causes": 0.75, "stories": 0.75},
    "blind8": {"short_causes": 0.78, "stories": 0.82},
}
# Messages that are not a refusal and get no cause read, on 5 December's model: 0.980 (first set), 0.857 (second),
# 0.929 (third), 0.929 (fourth); the fifth's report, 0.980 (49 messages); the sixth's, 0.976 (42 messages); the
# seventh's, 0.952 (42 messages); the eighth's, 0.929 (42 messages); issue 14 asks 0.95.
MIN_NOT_REFUSAL_NO_CAUSE = {
    "blind": 0.93,
    "blind2": 0.80,
    "blind3": 0.87,
    "blind4": 0.87,
    "blind5": 0.91,
    "blind6": 0.93,
    "blind7": 0.90,
    "blind8": 0.88,
}


@pytest.fixture(scope="module")
def agent():
    return load_agent()


# Every set but the development set, which is tuned on.
BLIND_SETS = {name: folder for name, folder in MESSAGE_SETS.items() if name != "dev"}


@pytest.fixture(scope="module", params=sorted(BLIND_SETS))
def blind(request):
    return request.param, load_message_set(BLIND_SETS[request.param])


def _reading(result) -> Reading:
    return Reading(
        tuple(cause.value for cause in causes_restated(result)), (result.get("intent") or {}).get("name") or ""
    )


@pytest.mark.parametrize("name", ["short_causes", "stories"])
def test_blind_cause_accuracy_stays_above_the_floor(agent, blind, name):
    set_name, message_set = blind
    messages = message_set[name]
    scores = cause_scores(messages, [_reading(parse(agent, message.text)) for message in messages])
    # Counts only: the messages and their readings stay out of the logs, so that the set stays blind.
    floor = MIN_CAUSE_ACCURACY[set_name][name]
    assert scores["accuracy"] >= floor, f"{len(scores['errors'])} of {scores['messages']} read wrong"


def test_blind_messages_that_are_not_a_refusal_mostly_get_no_cause(agent, blind):
    set_name, message_set = blind
    messages = message_set["not_refusal"]
    scores = not_refusal_scores(messages, [_reading(parse(agent, message.text)) for message in messages])
    floor = MIN_NOT_REFUSAL_NO_CAUSE[set_name]
    assert scores["no_cause_read"] >= floor, f"no cause read: {scores['no_cause_read']:.3f}"
