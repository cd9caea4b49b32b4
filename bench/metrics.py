"""Scores shared by the bench and the NLU quality test, so both report the same figures."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Iterable, List, Sequence, Set, Tuple

import numpy
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from bot.domain.case import causes_from_intent

EntityPairs = Set[Tuple[str, str]]


def entity_f1(expected: Sequence[EntityPairs], predicted: Sequence[EntityPairs]) -> float:
    """Micro-F1 over (entity, canonical value) pairs: what the dialogue actually uses."""
    true_positives = sum(len(e & p) for e, p in zip(expected, predicted, strict=True))
    found = sum(len(p) for p in predicted)
    wanted = sum(len(e) for e in expected)
    if not found or not wanted:
        return 0.0
    precision, recall = true_positives / found, true_positives / wanted
    return 2 * precision * recall / (precision + recall) if true_positives else 0.0


def intent_macro_f1(expected: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-F1 over the intents of the test set; a prediction outside them (a fallback) is wrong."""
    return float(f1_score(expected, predicted, average="macro", labels=sorted(set(expected)), zero_division=0))


def per_label(expected: Sequence[str], predicted: Sequence[str]) -> Dict[str, Dict[str, float]]:
    """Precision, recall, F1 and number of examples of each expected label; a fallback is wrong, as in
    `intent_macro_f1`."""
    labels = sorted(set(expected))
    precision, recall, f1, support = precision_recall_fscore_support(
        expected, predicted, labels=labels, zero_division=0
    )
    return {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "examples": int(n)}
        for label, p, r, f, n in zip(labels, precision, recall, f1, support)
    }


def confusions(expected: Sequence[str], predicted: Sequence[str], top: int) -> Dict[str, Any]:
    """The `top` most frequent (expected, predicted) mistakes, and how many mistakes kept a cause: a single
    cause taken for a pair holding it, or a pair for one of its causes or for another pair sharing one."""
    mistakes = [(e, p) for e, p in zip(expected, predicted, strict=True) if e != p]
    return {
        "errors": len(mistakes),
        "sharing_a_cause": sum(1 for e, p in mistakes if set(causes_from_intent(e)) & set(causes_from_intent(p))),
        "most_frequent": [
            {"expected": e, "predicted": p, "count": n} for (e, p), n in Counter(mistakes).most_common(top)
        ],
    }


def intent_scores(expected: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    return {
        "accuracy": float(accuracy_score(expected, predicted)),
        "macro_f1": intent_macro_f1(expected, predicted),
    }


def mean_and_std(values: Iterable[float]) -> Tuple[float, float]:
    """Mean and population standard deviation; one value has no spread (0)."""
    array = numpy.asarray(list(values), dtype=float)
    return float(array.mean()), float(array.std())


PERCENTILES = (50, 95, 99)


def latency_percentiles(latencies_ms: List[float]) -> Dict[str, float]:
    """p50/p95/p99 by linear interpolation between the closest ranks (numpy's default)."""
    if not latencies_ms:
        return {f"p{p}": float("nan") for p in PERCENTILES}
    values = numpy.percentile(numpy.asarray(latencies_ms, dtype=float), PERCENTILES)
    return {f"p{p}": float(v) for p, v in zip(PERCENTILES, values)}
