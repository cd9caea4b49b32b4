"""Rasa's CRF entity extractor, saved as the CRFs it trained instead of trained again at each start.

Rasa 3.6's CRFEntityExtractor keeps its training tokens (22 MB of JSON here) and trains its CRFs again
every time a model loads: 20 of the server's 43 seconds to start (bench/README.md), in every replica, at
every restart. This one keeps what it trained: each CRF's model file, crfsuite's own binary format (no
pickle), opened in memory at load. Training, features and extraction are Rasa's, unchanged.

It relies on sklearn_crfsuite.CRF keeping its model file in `modelfile` and its open tagger in `_tagger`
(tests/rasa_plugins/test_rasa_guards.py checks both).
"""

from __future__ import annotations

import shutil
from collections import OrderedDict
from typing import Any, Dict, List

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken

ORDER_FILE = "crf_order.json"


def _model_file(tag_name: str) -> str:
    return f"crf_{tag_name}.crfsuite"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class SavedCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: List[List[CRFToken]]) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            rasa.shared.utils.io.dump_obj_as_json_to_file(model_dir / ORDER_FILE, self.crf_order)
            for tag_name, tagger in (self.entity_taggers or {}).items():
                shutil.copyfile(tagger.modelfile.name, model_dir / _model_file(tag_name))

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SavedCRFEntityExtractor:
        import pycrfsuite
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as model_dir:
                crf_order = rasa.shared.utils.io.read_json_file(model_dir / ORDER_FILE)
                taggers = OrderedDict()
                for tag_name in crf_order:
                    # In memory: the model's unpacked directory may go before the server does. crfsuite reads
                    # the bytes where they are, without a copy: the CRF keeps them alive as long as its tagger.
                    model = (model_dir / _model_file(tag_name)).read_bytes()
                    tagger = pycrfsuite.Tagger()
                    tagger.open_inmemory(model)
                    crf = sklearn_crfsuite.CRF()
                    crf._tagger = tagger
                    crf.saved_model = model
                    taggers[tag_name] = crf
        except ValueError:
            # No resource: the training data had no entity (Rasa's own extractor says so the same way).
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor
