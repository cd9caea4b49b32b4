"""The development and blind message sets (tests/nlu/dev, tests/nlu/blind, blind2 to blind8), and how a reading
of them is scored.

Each set was written by its own writer who never saw data/nlu (see each folder's README). The development
set is the one to tune on; the blind sets are reported, never tuned on. A blind set is reported once per final
model and is spent after a few reports: the newest one (LATEST_BLIND) is the one the targets read. A reading is
what the assistant takes from a message: the causes it restates (the product's own rule,
bot.domain.cause_reading) and the intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import yaml

from bench.settings import ROOT

# Every set the bench scores, by the name its figures carry in results.json.
MESSAGE_SETS = {
    name: ROOT / "tests" / "nlu" / name
    for name in ("dev", "blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8")
}
DEV, BLIND, BLIND2, BLIND3 = (MESSAGE_SETS[name] for name in ("dev", "blind", "blind2", "blind3"))
LATEST_BLIND = "blind8"
CAUSE_FILES = ("short_causes", "stories")
FILES = CAUSE_FILES + ("not_refusal", "dialogue")
FALLBACK_INTENT = "nlu_fallback"
# Asking for the consultant or for a person both lead to the firm; reading either as these loses the request.
HANDOFF_INTENTS = ("request_consultation", "request_human")
LOST_HANDOFF = ("cancel", "deny")


@dataclass(frozen=True)
class LabelledMessage:
    id: str
    text: str
    noisy: str
    causes: Tuple[str, ...] = ()  # the causes stated, for a cause message
    label: str = ""  # the situation of a message that is not a refusal, or a dialogue intent


@dataclass(frozen=True)
class Reading:
    causes: Tuple[str, ...]  # as RefusalCause values
    intent: str


Reader = Callable[[Sequence[str]], List[Reading]]


def load_message_set(folder: Path) -> Dict[str, List[LabelledMessage]]:
    """Every file of a set, by name (short_causes, stories, not_refusal, dialogue)."""
    loaded = {}
    for name in FILES:
        entries = yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))
        loaded[name] = [
            LabelledMessage(
                id=str(entry["id"]),
                text=entry["text"],
                noisy=entry["noisy"],
                causes=tuple(sorted(entry.get("causes") or ())),
                label=entry.get("situation") or entry.get("intent") or "",
            )
            for entry in entries
        ]
    return loaded


def _share(hits: int, total: int) -> float:
    return hits / total if total else float("nan")


def cause_scores(messages: Sequence[LabelledMessage], readings: Sequence[Reading]) -> Dict[str, Any]:
    """Exact set of causes: overall, for one cause, for two or three; single-cause messages read as nothing."""
    pairs = list(zip(messages, readings, strict=True))
    right = [tuple(sorted(r.causes)) == m.causes for m, r in pairs]
    several = [ok for (m, _), ok in zip(pairs, right, strict=True) if len(m.causes) > 1]
    single = [(m, r) for m, r in pairs if len(m.causes) == 1]
    return {
        "messages": len(pairs),
        "accuracy": _share(sum(right), len(right)),
        "single_cause_accuracy": _share(
            sum(ok for (m, _), ok in zip(pairs, right, strict=True) if len(m.causes) == 1), len(single)
        ),
        "several_causes_messages": len(several),
        "several_causes_exact": _share(sum(several), len(several)),
        "single_cause_fallback": _share(sum(r.intent == FALLBACK_INTENT for _, r in single), len(single)),
        "single_cause_no_cause": _share(sum(not r.causes for _, r in single), len(single)),
        "errors": [
            {"id": m.id, "expected": list(m.causes), "read": list(r.causes), "intent": r.intent}
            for (m, r), ok in zip(pairs, right, strict=True)
            if not ok
        ],
    }


def not_refusal_scores(messages: Sequence[LabelledMessage], readings: Sequence[Reading]) -> Dict[str, Any]:
    """How many are told apart from every cause; and, once the NLU names the situations, how many exactly."""
    pairs = list(zip(messages, readings, strict=True))
    return {
        "messages": len(pairs),
        "no_cause_read": _share(sum(not r.causes for _, r in pairs), len(pairs)),
        "situation_read": _share(sum(r.intent == m.label for m, r in pairs), len(pairs)),
        "errors": [
            {"id": m.id, "expected": m.label, "read": list(r.causes), "intent": r.intent}
            for m, r in pairs
            if r.causes or r.intent != m.label
        ],
    }


def dialogue_scores(messages: Sequence[LabelledMessage], readings: Sequence[Reading]) -> Dict[str, Any]:
    pairs = list(zip(messages, readings, strict=True))
    handoffs = [(m, r) for m, r in pairs if m.label in HANDOFF_INTENTS]
    return {
        "messages": len(pairs),
        "accuracy": _share(sum(r.intent == m.label for m, r in pairs), len(pairs)),
        "handoff_lost": sum(r.intent in LOST_HANDOFF for _, r in handoffs),
        "handoff_read_as_the_other": sum(r.intent in HANDOFF_INTENTS and r.intent != m.label for m, r in handoffs),
        "errors": [{"id": m.id, "expected": m.label, "intent": r.intent} for m, r in pairs if r.intent != m.label],
    }


SCORERS = {
    "short_causes": cause_scores,
    "stories": cause_scores,
    "not_refusal": not_refusal_scores,
    "dialogue": dialogue_scores,
}


def score_message_set(message_set: Dict[str, List[LabelledMessage]], read: Reader) -> Dict[str, Any]:
    """Every file of the set, as written and as its noisy copy."""
    results: Dict[str, Any] = {}
    for name, messages in message_set.items():
        for copy in ("text", "noisy"):
            readings = read([getattr(message, copy) for message in messages])
            results[f"{name}/{copy}"] = SCORERS[name](messages, readings)
    return results
