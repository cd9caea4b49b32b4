"""The intent classifier: one logistic regression over word and character n-grams of accent-free text.

Chosen over DIET and Rasa's LogisticRegressionClassifier on tests/nlu/dev (figures in bench/README.md; Rasa's
classifier, on raw counts and spaCy vectors, took nearly five minutes to train and read dialogue and non-refusals
less well in it): it reads dialogue intents and the situations that are not a refusal at least as well as DIET,
trains in seconds instead of minutes, and needs no TensorFlow model. Causes of refusal
are read again, one by one, by the cause reader that follows it in the pipeline.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

import numpy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

from bot.rasa_plugins.text_models import TextModelComponent, read, text_features

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentReader(TextModelComponent, IntentClassifier):
    # model: {"features": FeatureUnion, "classifier": LogisticRegression}
    MODEL_FILE = "intent_reader.skops"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # regularisation: logistic regression's C, chosen on cross-validation and tests/nlu/dev;
        # ranking_length: how many intents the ranking keeps (Rasa's default is 10).
        return {"regularisation": 20.0, "ranking_length": 10, "random_state": 42}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("Fewer than two intents in the data: the intent reader is not trained.")
            return self._resource
        features = text_features()
        matrix = features.fit_transform(read([e.get(TEXT) for e in examples]))
        classifier = LogisticRegression(
            C=self.config["regularisation"],
            class_weight="balanced",
            max_iter=3000,
            random_state=self.config["random_state"],
        )
        classifier.fit(matrix, [e.get(INTENT) for e in examples])
        self.model = {"features": features, "classifier": classifier}
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        texts = [message.get(TEXT) or "" for message in messages]
        probabilities = self.model["classifier"].predict_proba(self.model["features"].transform(read(texts)))
        labels = self.model["classifier"].classes_
        for message, row in zip(messages, probabilities, strict=True):
            order = numpy.argsort(row)[::-1][: self.config["ranking_length"]]
            ranking = [{"name": str(labels[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
