"""Issue 14's targets for `make bench`, each checked against the figure measured in the run.

The NLU figures are those of the newest blind set (bench.message_sets.LATEST_BLIND), written outside the team and
never tuned on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from bench.message_sets import LATEST_BLIND

Results = Dict[str, Any]
REFERENCES = {"rasa_default": "Rasa default", "tfidf_logreg": "TF-IDF + logistic regression"}
RSS_LIMIT_MIB = 1.2 * 1024
CAUSE_SETS = {"short_causes": "blind short set", "stories": "blind stories"}


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


def blind(results: Results, pipeline: str, part: str, figure: str) -> Optional[float]:
    """A figure of the newest blind set, e.g. blind(r, "project", "stories/noisy", "accuracy")."""
    return _get(results, "nlu", "pipelines", pipeline, LATEST_BLIND, part, figure)


def _project(part: str, figure: str) -> Callable[[Results], Optional[float]]:
    return lambda results: blind(results, "project", part, figure)


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
    Target("Sustained turns per second", True, False, " turns/s", 1, throughput, _constant(60)),
    Target("p95 latency at 1 conversation", False, False, " ms", 0, lambda t: p95_at(t, 1), _constant(100)),
    Target("p95 latency at 10 conversations", False, False, " ms", 0, lambda t: p95_at(t, 10), _constant(300)),
]


def _share(figure: str, part: str, minimum: float) -> Target:
    return Target(figure, True, False, "", 3, _project(part, "accuracy"), _constant(minimum))


TARGETS: List[Target] = [
    _share("Cause accuracy, blind short set", "short_causes/text", 0.95),
    _share("Cause accuracy, blind stories", "stories/text", 0.90),
    _share("Cause accuracy, blind short set, noisy copy", "short_causes/noisy", 0.92),
    _share("Cause accuracy, blind stories, noisy copy", "stories/noisy", 0.85),
    *[
        Target(
            f"Cause accuracy ahead of {label}, {set_label}",
            True,
            True,
            "",
            3,
            _project(f"{part}/text", "accuracy"),
            lambda r, p=reference, s=part: blind(r, p, f"{s}/text", "accuracy"),
        )
        for part, set_label in CAUSE_SETS.items()
        for reference, label in REFERENCES.items()
    ],
    *[
        Target(
            f"Two- and three-cause messages, exact set, {set_label}",
            True,
            False,
            "",
            3,
            _project(f"{part}/text", "several_causes_exact"),
            _constant(0.85),
        )
        for part, set_label in CAUSE_SETS.items()
    ],
    *[
        Target(
            f"Single-cause messages falling to the fallback, {set_label}",
            False,
            False,
            "",
            3,
            _project(f"{part}/text", "single_cause_fallback"),
            _constant(0.03),
        )
        for part, set_label in CAUSE_SETS.items()
    ],
    Target(
        "Not a refusal, told apart from every cause (blind)",
        True,
        False,
        "",
        3,
        _project("not_refusal/text", "no_cause_read"),
        _constant(0.95),
    ),
    Target("Dialogue intents (blind)", True, False, "", 3, _project("dialogue/text", "accuracy"), _constant(0.95)),
    Target(
        "Consultant or human requests read as cancel or deny (blind)",
        False,
        False,
        "",
        0,
        _project("dialogue/text", "handoff_lost"),
        _constant(0),
    ),
    Target(
        "Entities to canonical values, F1 (test set)",
        True,
        False,
        "",
        3,
        lambda r: _get(r, "nlu", "pipelines", "project", "test", "entity_f1"),
        _constant(0.85),
    ),
    *[
        Target(f"{t.figure} (best topology)", t.at_least, t.strict, t.unit, t.digits, _best(t.measure), t.threshold)
        for t in SERVING_TARGETS
    ],
    Target(
        "Start to ready (best topology, slowest replica)", False, False, " s", 1, _best(ready_seconds), _constant(20)
    ),
    Target(
        "Rasa server peak RSS (best topology, largest replica)",
        False,
        False,
        " MiB",
        0,
        _best(rasa_peak_rss),
        _constant(RSS_LIMIT_MIB),
    ),
    Target(
        "Training time (`rasa train`, whole assistant)",
        False,
        False,
        " s",
        0,
        lambda r: _get(r, "training", "assistant_seconds"),
        _constant(90),
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
