import math

import pytest

from bench.metrics import (
    confusions,
    entity_f1,
    intent_macro_f1,
    intent_scores,
    latency_percentiles,
    mean_and_std,
    per_label,
)

pytestmark = pytest.mark.unit


def test_entity_f1_counts_only_exact_canonical_pairs():
    expected = [{("document", "language_test")}, {("program", "fsw"), ("location", "in_canada")}, set()]
    predicted = [{("document", "test de")}, {("program", "fsw")}, {("location", "ici")}]
    # 1 right out of 3 found and 3 wanted.
    assert entity_f1(expected, predicted) == pytest.approx(1 / 3)
    assert entity_f1(expected, [set(), set(), set()]) == 0.0


def test_a_fallback_counts_as_wrong_and_is_not_a_class_of_its_own():
    expected = ["greet", "greet", "deny", "deny"]
    predicted = ["greet", "nlu_fallback", "deny", "deny"]
    # greet: precision 1, recall 0.5 (F1 2/3); deny: F1 1. The fallback's own F1 is not averaged in.
    assert intent_macro_f1(expected, predicted) == pytest.approx((2 / 3 + 1) / 2)
    assert intent_scores(expected, predicted)["accuracy"] == 0.75


def test_percentiles_interpolate_between_ranks():
    latencies = [float(ms) for ms in range(1, 101)]
    assert latency_percentiles(latencies) == pytest.approx({"p50": 50.5, "p95": 95.05, "p99": 99.01})
    assert latency_percentiles([42.0]) == {"p50": 42.0, "p95": 42.0, "p99": 42.0}
    assert all(math.isnan(v) for v in latency_percentiles([]).values())


def test_mean_and_population_spread():
    assert mean_and_std([0.8, 0.9, 1.0]) == pytest.approx((0.9, math.sqrt(0.02 / 3)))
    assert mean_and_std([0.9]) == (0.9, 0.0)


def test_per_label_figures_count_a_fallback_as_wrong():
    expected = ["greet", "greet", "deny"]
    predicted = ["greet", "nlu_fallback", "greet"]
    figures = per_label(expected, predicted)
    assert set(figures) == {"greet", "deny"}
    assert figures["greet"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "examples": 2})
    assert figures["deny"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "examples": 1}


def test_confusions_rank_mistakes_and_count_those_that_keep_a_cause():
    a, b, c = "refusal_low_score", "refusal_work_experience", "refusal_officer_error"
    expected = [a, a, f"{a}+{b}", f"{a}+{b}", "greet", "greet"]
    predicted = [f"{a}+{b}", f"{a}+{b}", f"{b}+{c}", c, "affirm", "greet"]
    found = confusions(expected, predicted, top=2)
    assert found["errors"] == 5
    # a for a+b twice, a+b for b+c (b kept); a+b for c and greet for affirm keep none.
    assert found["sharing_a_cause"] == 3
    assert found["most_frequent"][0] == {"expected": a, "predicted": f"{a}+{b}", "count": 2}
    assert len(found["most_frequent"]) == 2
