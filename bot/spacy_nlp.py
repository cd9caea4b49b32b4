"""spaCy's French model, loaded once per process.

Rasa's SpacyNLP loads the model in each of its two graph nodes: the one that provides it, and the
one that runs it on each message, which only uses the provided copy. In a served
model the second load is never used yet holds about 350 MB and adds seconds to start-up (`make bench`
measures memory by component). This class keeps Rasa's behaviour and shares one load.
"""
from __future__ import annotations

from functools import lru_cache

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils import spacy_utils


# Named SpacyNLP on purpose: Rasa's recipe feeds the node that runs spaCy from the node whose class
# is named as `model_from` says.
@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    @staticmethod
    @lru_cache(maxsize=None)
    def load_model(spacy_model_name: str) -> spacy_utils.SpacyModel:
        return spacy_utils.SpacyNLP.load_model(spacy_model_name)
