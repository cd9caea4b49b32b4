"""How the NLU's reading of a message becomes causes: restated when the model is clear enough, offered
as choices when it hesitates. The ranking is the NLU's, as Rasa gives it: [{"name", "confidence"}]."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from bot.domain.case import RefusalCause, causes_from_intent, normalize_causes

Ranking = Sequence[Mapping[str, Any]]

FALLBACK_INTENT = "nlu_fallback"
MAX_CHOICES = 3
# Only the head of the ranking is considered, and only above this: further down is noise.
MIN_CHOICE_CONFIDENCE = 0.1
# "mon test de langue a expiré" often splits between missing_documents and a pair holding it:
# when the close candidates share a cause and together are this likely, that cause is restated.
SHARED_CAUSE_CONFIDENCE = 0.6
# Two causes are restated only when the model prefers the pair clearly over one of its causes
# alone: "mon test de langue a expiré" otherwise came out as a document and an officer's error.
PAIR_MARGIN = 0.5


def causes_read(intent: Optional[Mapping[str, Any]], ranking: Ranking) -> Tuple[RefusalCause, ...]:
    """The causes the message states: its intent's, or one cause alone when the pair is not clearly ahead."""
    intent = intent or {}
    causes = causes_from_intent(intent.get("name"))
    if len(causes) < 2:
        return causes
    pair_confidence = intent.get("confidence", 0)
    for candidate in ranking:
        single = causes_from_intent(candidate.get("name"))
        if len(single) == 1 and single[0] in causes:
            if pair_confidence - candidate.get("confidence", 0) < PAIR_MARGIN:
                return single
            break
    return causes


@dataclass(frozen=True)
class CauseChoices:
    """What to do with a hesitant reading: restate `shared` when set, else offer `choices` (maybe none)."""

    choices: Tuple[Tuple[RefusalCause, ...], ...]
    shared: Tuple[RefusalCause, ...] = ()


def cause_choices(ranking: Ranking) -> CauseChoices:
    """The best two or three readings as choices; their common cause instead, when they agree on one."""
    candidates = [candidate for candidate in ranking if candidate.get("name") != FALLBACK_INTENT]
    choices: List[Tuple[RefusalCause, ...]] = []
    likelihood = 0.0
    for candidate in candidates[:MAX_CHOICES]:
        causes = causes_from_intent(candidate.get("name"))
        confidence = candidate.get("confidence", 0)
        if causes and confidence >= MIN_CHOICE_CONFIDENCE and causes not in choices:
            choices.append(causes)
            likelihood += confidence
    shared = normalize_causes(set(choices[0]).intersection(*choices[1:])) if choices else ()
    if len(choices) > 1 and shared and likelihood >= SHARED_CAUSE_CONFIDENCE:
        return CauseChoices(tuple(choices), shared)
    return CauseChoices(tuple(choices))


# A reading of the message cause by cause, each with its own score, as the NLU adds it to the message.
CAUSE_SCORES_KEY = "refusal_causes"
# Sentence ends and line breaks: a story's timeline sentences are read apart from the one naming the cause.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")


def sentences(text: str) -> List[str]:
    """The message's sentences, in order, each stripped; the whole text when it has only one."""
    parts = [part.strip() for part in _SENTENCE_END.split(text or "") if part and part.strip()]
    return parts or [text]


@dataclass(frozen=True)
class CauseThresholds:
    """From which score a cause is read: on the whole message (`whole`), or in one of its sentences alone
    (`sentence`, higher: a story's many sentences give a wrong cause as many chances), each with exceptions by
    cause. A cause whose sentence threshold is None is read from the whole message only."""

    whole: float
    sentence: Optional[float] = None
    whole_by_cause: Mapping[str, float] = field(default_factory=dict)
    sentence_by_cause: Mapping[str, Optional[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A misspelt cause or a threshold out of range (65 for 0.65) in config.yml would silently keep the
        # default or turn a cause off: refused when the model loads, not at the first message.
        unknown = sorted({*self.whole_by_cause, *self.sentence_by_cause} - {cause.value for cause in RefusalCause})
        if unknown:
            raise ValueError(f"no such cause of refusal: {', '.join(unknown)}")
        wrong = [
            f"{name}: {value!r}"
            for name, value, may_be_none in (
                [("whole", self.whole, False), ("sentence", self.sentence, True)]
                + [(cause, value, False) for cause, value in self.whole_by_cause.items()]
                + [(cause, value, True) for cause, value in self.sentence_by_cause.items()]
            )
            if not _a_threshold(value, may_be_none)
        ]
        if wrong:
            raise ValueError(f"a threshold is a number from 0 to 1 (null: never from one sentence): {', '.join(wrong)}")

    def of_whole(self, cause: RefusalCause) -> float:
        return self.whole_by_cause.get(cause.value, self.whole)

    def of_sentence(self, cause: RefusalCause) -> Optional[float]:
        return self.sentence_by_cause.get(cause.value, self.sentence)


def _a_threshold(value: object, may_be_none: bool) -> bool:
    if value is None:
        return may_be_none
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def causes_from_scores(
    scores: Mapping[str, float],
    thresholds: CauseThresholds,
    sentence_scores: Mapping[str, float] = MappingProxyType({}),
) -> Tuple[RefusalCause, ...]:
    """The causes scored at least their threshold on the whole message, or at least their sentence threshold in
    one of its sentences; 'unknown' dropped when a real cause is among them."""

    def in_sentence(cause: RefusalCause) -> bool:
        threshold = thresholds.of_sentence(cause)
        return threshold is not None and sentence_scores.get(cause.value, 0.0) >= threshold

    return normalize_causes(
        cause
        for cause in RefusalCause
        if scores.get(cause.value, 0.0) >= thresholds.of_whole(cause) or in_sentence(cause)
    )


def causes_restated(parse: Mapping[str, Any]) -> Tuple[RefusalCause, ...]:
    """The causes the assistant restates for a parsed message: the cause-by-cause reading when the NLU gave
    one, else its intent and ranking."""
    reading = parse.get(CAUSE_SCORES_KEY) or []
    known = {cause.value: cause for cause in RefusalCause}
    causes = normalize_causes(known[entry["cause"]] for entry in reading if entry.get("cause") in known)
    if causes:
        return causes
    return causes_read(parse.get("intent"), parse.get("intent_ranking") or [])
