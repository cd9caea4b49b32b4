"""Issue 5's targets for `make bench`, each checked against the figure measured in the run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

Results = Dict[str, Any]
REFERENCES = {"rasa_default": "Rasa default", "tfidf_logreg": "TF-IDF + logistic regression"}
NLU_SETS = {"test": "test set", "noisy": "noisy test set", "cv": "5-fold cross-validation (mean)"}
RSS_LIMIT_MIB = 1.5 * 1024


@dataclass(frozen=True)
class Target:
    figure: str
    at_least: bool  # the figure must reach the threshold (else stay under it)
    strict: bool  # strictly above / under
    unit: str
    digits: int
    measure: Callable[[Results], Optional[float]]
    threshold: Callable[[Results], Optional[float]]

    def check(self, results: Results) -> Dict[str, Any]:
        measured, threshold = self.measure(results), self.threshold(results)
        row = {
            "figure": self.figure,
            "target": self._target_text(threshold),
            "measured": None,
            "status": "not measured",
            "by": "",
        }
        if measured is None or threshold is None:
            return row
        margin = measured - threshold if self.at_least else threshold - measured
        met = margin > 0 or (margin == 0 and not self.strict)
        row.update(
            measured=self.format(measured),
            status="met" if met else "missed",
            by=f"{'margin' if met else ('short by' if self.at_least else 'over by')} {self.format(abs(margin))}"
            + (f" ({abs(margin) / threshold:.0%})" if threshold else ""),
            value=measured,
            threshold=threshold,
        )
        return row

    def format(self, value: float) -> str:
        return f"{value:.{self.digits}f}{self.unit}"

    def _target_text(self, threshold: Optional[float]) -> str:
        sign = (">" if self.strict else "≥") if self.at_least else ("<" if self.strict else "≤")
        return f"{sign} {self.format(threshold)}" if threshold is not None else f"{sign} (not measured)"


def _get(results: Results, *keys: str) -> Optional[float]:
    value: Any = results
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def nlu_figure(results: Results, pipeline: str, nlu_set: str) -> Optional[float]:
    if nlu_set == "cv":
        return _get(results, "nlu", "pipelines", pipeline, "cv", "macro_f1_mean")
    return _get(results, "nlu", "pipelines", pipeline, nlu_set, "macro_f1")


def best_topology(results: Results) -> Optional[str]:
    """The topology with the highest sustained throughput (the fewer replicas on a tie)."""
    topologies = _get(results, "serving", "topologies") or {}
    if not topologies:
        return None
    return max(topologies, key=lambda name: (throughput(topologies[name]) or 0, -topologies[name]["replicas"]))


def throughput(topology: Dict[str, Any]) -> Optional[float]:
    rates = [level["turns_per_second"] for level in topology.get("levels", [])]
    return max(rates) if rates else None


def p95_at(topology: Dict[str, Any], concurrency: int) -> Optional[float]:
    return next((level["p95"] for level in topology.get("levels", []) if level["concurrency"] == concurrency), None)


def _best(fn: Callable[[Dict[str, Any]], Optional[float]]) -> Callable[[Results], Optional[float]]:
    def measure(results: Results) -> Optional[float]:
        name = best_topology(results)
        return fn(results["serving"]["topologies"][name]) if name else None

    return measure


def ready_seconds(topology: Dict[str, Any]) -> Optional[float]:
    return max(topology["ready_seconds"]) if topology.get("ready_seconds") else None


def rasa_peak_rss(topology: Dict[str, Any]) -> Optional[float]:
    values = [v for k, v in (topology.get("peak_rss_mib") or {}).items() if k.startswith("rasa")]
    return max(values) if values else None


def _constant(value: float) -> Callable[[Results], float]:
    return lambda results: value


SERVING_TARGETS = [
    Target("Sustained turns per second", True, False, " turns/s", 1, throughput, _constant(40)),
    Target("p95 latency at 1 conversation", False, False, " ms", 0, lambda t: p95_at(t, 1), _constant(100)),
    Target("p95 latency at 10 conversations", False, False, " ms", 0, lambda t: p95_at(t, 10), _constant(500)),
]

TARGETS: List[Target] = [
    Target(
        "Intent macro-F1, test set", True, False, "", 3, lambda r: nlu_figure(r, "project", "test"), _constant(0.95)
    ),
    Target(
        "Intent macro-F1, noisy test set",
        True,
        False,
        "",
        3,
        lambda r: nlu_figure(r, "project", "noisy"),
        _constant(0.90),
    ),
    *[
        Target(
            f"Intent macro-F1 ahead of {label}, {set_label}",
            True,
            True,
            "",
            3,
            lambda r, s=nlu_set: nlu_figure(r, "project", s),
            lambda r, p=reference, s=nlu_set: nlu_figure(r, p, s),
        )
        for reference, label in REFERENCES.items()
        for nlu_set, set_label in NLU_SETS.items()
    ],
    *[
        Target(f"{t.figure} (best topology)", t.at_least, t.strict, t.unit, t.digits, _best(t.measure), t.threshold)
        for t in SERVING_TARGETS
    ],
    Target(
        "Start to ready (best topology, slowest replica)", False, False, " s", 1, _best(ready_seconds), _constant(30)
    ),
    Target(
        "Rasa server peak RSS (best topology, largest replica)",
        False,
        True,
        " MiB",
        0,
        _best(rasa_peak_rss),
        _constant(RSS_LIMIT_MIB),
    ),
    Target(
        "Training time (`rasa train`, whole assistant)",
        False,
        True,
        " s",
        0,
        lambda r: _get(r, "training", "assistant_seconds"),
        _constant(180),
    ),
]


def check_all(results: Results) -> List[Dict[str, Any]]:
    return [target.check(results) for target in TARGETS]


def serving_misses(topology: Dict[str, Any]) -> List[str]:
    """The latency and throughput targets that this topology missed (what a profile should explain)."""
    misses = []
    for target in SERVING_TARGETS:
        row = target.check(topology)
        if row["status"] == "missed":
            misses.append(f"{target.figure}: {row['measured']} ({row['by']})")
    return misses
