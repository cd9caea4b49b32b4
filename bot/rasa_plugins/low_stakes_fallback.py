"""Low-stakes intents read from a lower confidence than the fallback's.

The fallback (Rasa's FallbackClassifier, 0.3) keeps a hesitant reading from starting a form or confirming an
answer: "mon dossier" repeated must not open a consultation request. A greeting, thanks, a goodbye or a message
about something else start nothing, and the fallback's "je n'ai pas bien compris" is a worse answer to them than
their own. On tests/nlu/dev and the spent blind sets, a third of the dialogue turns the assistant missed were
such turns sent to the fallback (bench/README.md). This component runs after the cause reader, so that a clear
cause in a hesitant message ("bonjour, mon test de langue a expiré") is read first, and gives the fallback's
message back its first intent when that intent is one of `intents` at `threshold` or more.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.domain.cause_reading import FALLBACK_INTENT
from bot.rasa_plugins.untrained import UntrainedComponent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LowStakesFallback(UntrainedComponent):
    def __init__(self, config: Dict[str, Any]) -> None:
        self.intents = frozenset(config["intents"])
        self.threshold = float(config["threshold"])

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"intents": ["greet", "thank", "goodbye", "out_of_scope"], "threshold": 0.1}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LowStakesFallback:
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get(INTENT) or {}).get("name") != FALLBACK_INTENT:
                continue
            ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get("name") != FALLBACK_INTENT]
            if ranking and ranking[0].get("name") in self.intents and ranking[0].get("confidence", 0) >= self.threshold:
                message.set(INTENT, dict(ranking[0]), add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
