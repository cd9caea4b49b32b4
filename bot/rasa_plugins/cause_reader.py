"""Reads each cause of refusal on its own, sentence by sentence: one, two or three causes out of one message.

Rasa's intent classifiers give one label per message, so two causes needed a joint "a+b" intent, and a
long story's one telling sentence was drowned by its timeline. This component scores the nine causes
separately (one logistic regression each, on word and character n-grams of accent-free text), on the
whole message and on each of its sentences, and keeps each cause's best score. The causes at or above
the threshold go into the parsed message under `refusal_causes`, which the actions restate
(bot/domain/cause_reading.py); the intent stays the NLU contract's (`refusal_a+refusal_b` when the
training data has that pair), and a message the classifiers gave up on (`nlu_fallback`, `out_of_scope`)
becomes a refusal when a cause is clear; so does a message read as an answer (`inform`).

Trained on the same data/nlu: every refusal intent names its causes, every other intent is a message with
none. Features and persistence shared with the intent reader (bot/rasa_plugins/text_models.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import numpy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from bot.domain.case import CAUSE_INTENT_PREFIX, RefusalCause, causes_from_intent, intent_for_causes
from bot.domain.cause_reading import CAUSE_SCORES_KEY, FALLBACK_INTENT, causes_from_scores, sentences
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
        # threshold: a cause's score from which it is read (chosen on tests/nlu/dev and cross-validation);
        # regularisation: logistic regression's C.
        return {"threshold": 0.68, "regularisation": 4.0, "random_state": 42}

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

    def scores(self, text: str) -> Dict[str, float]:
        """Each cause's best score over the whole text and each of its sentences."""
        assert self.model is not None
        parts = [text] + [part for part in sentences(text) if part != text]
        matrix = self.model["features"].transform(read(parts))
        best = [float(reader.predict_proba(matrix)[:, 1].max()) for reader in self.model["readers"]]
        return dict(zip(self.model["causes"], best, strict=True))

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            # A button's payload ("/affirm") is a choice, not words to read.
            if not text.strip() or text.startswith("/"):
                continue
            scores = self.scores(text)
            causes = causes_from_scores(scores, self.config["threshold"])
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
