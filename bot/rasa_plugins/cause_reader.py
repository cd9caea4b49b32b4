"""Reads each cause of refusal on its own, sentence by sentence: one, two or three causes out of one message.

Rasa's intent classifiers give one label per message, so two causes needed a joint "a+b" intent, and a
long story's one telling sentence was drowned by its timeline. This component scores the nine causes
separately (one logistic regression each, on word and character n-grams of accent-free text), on the
whole message and on each of its sentences. A cause is read from `threshold` on the whole message, or from
the higher `sentence_threshold` in one sentence (a story's many sentences give a wrong cause many chances),
with exceptions by cause (`cause_thresholds`, `cause_sentence_thresholds`); all chosen on tests/nlu/dev and
the spent blind sets (bench/README.md). The causes read go into the parsed message under `refusal_causes`, which the actions restate
(bot/domain/cause_reading.py); the intent stays the NLU contract's (`refusal_a+refusal_b` when the
training data has that pair), and a message the classifiers gave up on (`nlu_fallback`, `out_of_scope`)
becomes a refusal when a cause is clear; so does a message read as an answer (`inform`).

Trained on the same data/nlu: every refusal intent names its causes, every other intent is a message with
none. Features and persistence shared with the intent reader (bot/rasa_plugins/text_models.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

import numpy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from bot.domain.case import CAUSE_INTENT_PREFIX, RefusalCause, causes_from_intent, intent_for_causes
from bot.domain.cause_reading import (
    CAUSE_SCORES_KEY,
    FALLBACK_INTENT,
    CauseThresholds,
    causes_from_scores,
    sentences,
)
from bot.rasa_plugins.text_models import TextModelComponent, read, text_features

logger = logging.getLogger(__name__)

# Intents a clear cause may replace, besides another reading of the causes: the fallback, "not about this",
# and an answer (a story often holds a program and a date: "ma demande PTQF refusée le 3 novembre, ...").
# An answer that names no cause scores far below the threshold ("PTQF", "le 3 novembre": under 0.1).
REPLACEABLE_INTENTS = (FALLBACK_INTENT, "out_of_scope", "inform")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class CauseReader(TextModelComponent):
    # model: {"features": FeatureUnion, "readers": [LogisticRegression per cause], "causes": [...], "intents": [...]}
    MODEL_FILE = "cause_reader.skops"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # threshold: a cause's score on the whole message from which it is read; sentence_threshold: the same in
        # one of its sentences; cause_thresholds and cause_sentence_thresholds: exceptions by cause (a sentence
        # threshold of null: never from one sentence alone); regularisation: logistic regression's C.
        return {
            "threshold": 0.5,
            "sentence_threshold": 0.9,
            # None, not {}: Rasa merges a dict default with the config's value, and fails on a key left empty.
            "cause_thresholds": None,
            "cause_sentence_thresholds": None,
            "regularisation": 4.0,
            "random_state": 42,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(config, model_storage, resource, model)
        self.thresholds = CauseThresholds(
            self.config["threshold"],
            self.config["sentence_threshold"],
            dict(self.config["cause_thresholds"] or {}),
            dict(self.config["cause_sentence_thresholds"] or {}),
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        texts = read([e.get(TEXT) for e in examples])
        stated = [set(causes_from_intent(e.get(INTENT))) for e in examples]
        causes = [cause for cause in RefusalCause if any(cause in s for s in stated)]
        if not causes:
            return self._resource
        features = text_features()
        matrix = features.fit_transform(texts)
        readers = []
        for cause in causes:
            reader = LogisticRegression(
                C=self.config["regularisation"],
                class_weight="balanced",
                max_iter=3000,
                random_state=self.config["random_state"],
            )
            reader.fit(matrix, numpy.array([cause in s for s in stated], dtype=int))
            readers.append(reader)
        intents = sorted({e.get(INTENT) for e in examples if e.get(INTENT).startswith(CAUSE_INTENT_PREFIX)})
        self.model = {
            "features": features,
            "readers": readers,
            "causes": [cause.value for cause in causes],
            "intents": intents,
        }
        self.persist()
        return self._resource

    def scores(self, text: str) -> Tuple[Dict[str, float], Dict[str, float]]:
        """Each cause's score on the whole text, and its best score in one of the text's sentences (none for a
        text of one sentence)."""
        assert self.model is not None
        parts = [text] + [part for part in sentences(text) if part != text]
        matrix = self.model["features"].transform(read(parts))
        whole: Dict[str, float] = {}
        in_sentence: Dict[str, float] = {}
        for cause, reader in zip(self.model["causes"], self.model["readers"], strict=True):
            scored = reader.predict_proba(matrix)[:, 1]
            whole[cause] = float(scored[0])
            if len(parts) > 1:
                in_sentence[cause] = float(scored[1:].max())
        return whole, in_sentence

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            # A button's payload ("/affirm") is a choice, not words to read.
            if not text.strip() or text.startswith("/"):
                continue
            whole, in_sentence = self.scores(text)
            causes = causes_from_scores(whole, self.thresholds, in_sentence)
            scores = {cause: max(score, in_sentence.get(cause, 0.0)) for cause, score in whole.items()}
            intent = message.get(INTENT) or {}
            name = intent.get("name") or ""
            if not causes or not (name.startswith(CAUSE_INTENT_PREFIX) or name in REPLACEABLE_INTENTS):
                continue
            reading = [{"cause": cause.value, "confidence": scores[cause.value]} for cause in causes]
            message.set(CAUSE_SCORES_KEY, reading, add_to_output=True)
            joint = intent_for_causes(causes)
            best = max(causes, key=lambda cause: scores[cause.value])
            name = joint if joint in self.model["intents"] else best.intent
            message.set(INTENT, {"name": name, "confidence": scores[best.value]}, add_to_output=True)
        return messages
