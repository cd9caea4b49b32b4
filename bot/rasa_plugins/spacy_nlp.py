"""spaCy's French model, loaded once per process.

Rasa's SpacyNLP loads the model in each of its two graph nodes: the one that provides it, and the
one that runs it on each message, which only uses the provided copy. In a served
model the second load is never used yet holds about 350 MB and adds seconds to start-up (`make bench`
measures memory by component). This class keeps Rasa's behaviour and shares one load.

It also drops the two parts of the French model whose output no component uses: the parser
(which Rasa already disables) and the named-entity recogniser, which Rasa ran on every message
(no SpacyEntityExtractor here: a CRF and regexes find the entities). The tokens, lemmas, tags and
vectors Rasa reads come from the other parts, and stay the same (tests/rasa_plugins/test_spacy_nlp.py).
"""

from __future__ import annotations

from functools import cache

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils import spacy_utils

UNUSED_PARTS = ("parser", "ner")


# Named SpacyNLP on purpose: Rasa's recipe feeds the node that runs spaCy from the node whose class
# is named as `model_from` says.
@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False,
    model_from="SpacyNLP",
)
class SpacyNLP(spacy_utils.SpacyNLP):
    @staticmethod
    @cache
    def load_model(spacy_model_name: str) -> spacy_utils.SpacyModel:
        loaded = spacy_utils.SpacyNLP.load_model(spacy_model_name)
        for name in UNUSED_PARTS:
            if name in loaded.model.component_names:
                loaded.model.remove_pipe(name)
        return loaded
