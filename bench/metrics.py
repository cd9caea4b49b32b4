"""Scores shared by the bench and the NLU quality test, so both report the same figures."""
from __future__ import annotations

from typing import Dict, Iterable, List, Sequence, Set, Tuple

import numpy
from sklearn.metrics import accuracy_score, f1_score

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
