"""The sets written outside the team, and how a reading of them is scored."""

from __future__ import annotations

import pytest

from bench.message_sets import (
    BLIND,
    BLIND2,
    BLIND3,
    DEV,
    LabelledMessage,
    Reading,
    cause_scores,
    dialogue_scores,
    load_message_set,
    not_refusal_scores,
    score_message_set,
)
from bot.domain.case import RefusalCause

pytestmark = pytest.mark.unit

CAUSES = {cause.value for cause in RefusalCause}
SITUATIONS = {
    "no_invitation",
    "profile_expired",
    "invitation_received",
    "in_process",
    "returned_incomplete",
    "fairness_letter",
    "other_application",
}
DIALOGUE = {
    "affirm",
    "deny",
    "thank",
    "request_consultation",
    "request_human",
    "cancel",
    "change_answer",
    "out_of_scope",
    "greet",
    "goodbye",
}


@pytest.mark.parametrize(
    "folder, least",
    [
        (BLIND, {"short_causes": 150, "stories": 120, "not_refusal": 40, "dialogue": 60}),
        (BLIND2, {"short_causes": 150, "stories": 120, "not_refusal": 40, "dialogue": 60}),
        (BLIND3, {"short_causes": 150, "stories": 120, "not_refusal": 40, "dialogue": 60}),
        (DEV, {}),
    ],
)
def test_each_set_is_labelled_with_names_the_assistant_knows(folder, least):
    message_set = load_message_set(folder)
    ids = [m.id for messages in message_set.values() for m in messages]
    assert len(ids) == len(set(ids))
    for name, messages in message_set.items():
        assert len(messages) >= least.get(name, 1)
        assert all(m.text.strip() and m.noisy.strip() for m in messages)
    for name in ("short_causes", "stories"):
        assert all(m.causes and set(m.causes) <= CAUSES for m in message_set[name])
    assert {m.label for m in message_set["not_refusal"]} == SITUATIONS
    assert {m.label for m in message_set["dialogue"]} == DIALOGUE


@pytest.mark.parametrize("folder", [BLIND, BLIND2, BLIND3])
def test_the_blind_stories_hold_two_and_three_cause_messages(folder):
    stories = load_message_set(folder)["stories"]
    assert sum(len(m.causes) == 2 for m in stories) >= 30 and sum(len(m.causes) == 3 for m in stories) >= 5


def _message(causes=(), label=""):
    return LabelledMessage(id="x", text="t", noisy="t", causes=tuple(sorted(causes)), label=label)


def test_causes_count_only_when_the_whole_set_is_read():
    messages = [
        _message(["low_score"]),
        _message(["low_score", "work_experience"]),
        _message(["misrepresentation"]),
        _message(["officer_error"]),
    ]
    readings = [
        Reading(("low_score",), "refusal_low_score"),
        Reading(("low_score",), "refusal_low_score"),  # one cause of two: wrong
        Reading((), "nlu_fallback"),
        Reading(("officer_error", "missing_documents"), "refusal_missing_documents+refusal_officer_error"),
    ]
    scores = cause_scores(messages, readings)
    assert scores["accuracy"] == 0.25
    assert scores["several_causes_exact"] == 0.0 and scores["several_causes_messages"] == 1
    assert scores["single_cause_accuracy"] == pytest.approx(1 / 3)
    assert scores["single_cause_fallback"] == pytest.approx(1 / 3)
    assert [error["expected"] for error in scores["errors"]] == [
        ["low_score", "work_experience"],
        ["misrepresentation"],
        ["officer_error"],
    ]


def test_a_message_that_is_no_refusal_counts_when_no_cause_is_read():
    messages = [_message(label="no_invitation"), _message(label="other_application")]
    readings = [Reading((), "out_of_scope"), Reading(("low_score",), "refusal_low_score")]
    scores = not_refusal_scores(messages, readings)
    assert scores["no_cause_read"] == 0.5 and scores["situation_read"] == 0.0


def test_a_request_for_the_consultant_read_as_cancel_is_counted_lost():
    messages = [_message(label="request_consultation"), _message(label="request_human"), _message(label="affirm")]
    readings = [Reading((), "cancel"), Reading((), "request_consultation"), Reading((), "affirm")]
    scores = dialogue_scores(messages, readings)
    assert scores["accuracy"] == pytest.approx(1 / 3)
    assert scores["handoff_lost"] == 1 and scores["handoff_read_as_the_other"] == 1


def test_every_file_is_read_as_written_and_as_its_noisy_copy():
    seen = []

    def read(texts):
        seen.append(list(texts))
        return [Reading((), "out_of_scope") for _ in texts]

    message_set = {"dialogue": [LabelledMessage("d1", "oui", "ouii", label="affirm")]}
    results = score_message_set(message_set, read)
    assert set(results) == {"dialogue/text", "dialogue/noisy"} and seen == [["oui"], ["ouii"]]
