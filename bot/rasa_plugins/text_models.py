"""What the project's own NLU components share: the text features and the file they save.

Both readers (intents, causes) use word and character n-grams of the text as typed_text.as_read writes it out:
people type "refuse", "refusé" and "REFUSÉ" alike, "pcq" for "parce que", and character n-grams carry typing
slips. Models are saved with skops, as Rasa's own LogisticRegressionClassifier is, and loaded only if the file
holds nothing but the types a component writes.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from typing import Any, Dict, List, Optional, Sequence, Type, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from bot.rasa_plugins import typed_text

# What the components write: anything else in a model file is refused at load.
TRUSTED_TYPES = (
    "builtins.dict",
    "builtins.list",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "numpy.float64",
    "numpy.int64",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.FeatureUnion",
    "scipy.sparse._csr.csr_matrix",
)


class UntrustedModelFile(Exception):
    """The model file holds a type no component writes: it is not loaded."""


def text_features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            (
                "characters",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
            ),
        ]
    )


def read(texts: Sequence[str]) -> List[str]:
    """The texts as both readers see them, in training and when reading (bot/rasa_plugins/typed_text.py)."""
    return [typed_text.as_read(text) for text in texts]


def trusted(untrusted: Sequence[str]) -> List[str]:
    unknown = [name for name in untrusted if name not in TRUSTED_TYPES]
    if unknown:
        raise UntrustedModelFile(f"unexpected types in a model file: {unknown}")
    return list(untrusted)


def save_model(model_storage: ModelStorage, resource: Resource, file_name: str, model: Dict[str, Any]) -> None:
    import skops.io as sio

    with model_storage.write_to(resource) as directory:
        sio.dump(model, directory / file_name)


def load_model(model_storage: ModelStorage, resource: Resource, file_name: str) -> Optional[Dict[str, Any]]:
    """The saved model, or None when the component trained nothing (no examples for it in the data)."""
    import skops.io as sio

    try:
        with model_storage.read_from(resource) as directory:
            path = directory / file_name
            if not path.exists():
                return None
            return sio.load(path, trusted=trusted(sio.get_untrusted_types(file=path)))
    except ValueError:
        # Rasa's storage has no directory for a component that persisted nothing.
        return None


Reader = TypeVar("Reader", bound="TextModelComponent")


class TextModelComponent(GraphComponent):
    """What both readers do the same way: their config over the defaults, and their model saved and loaded
    under `MODEL_FILE` in Rasa's model storage (None until trained, or when nothing was to learn)."""

    MODEL_FILE: str

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "skops"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # Rasa reuses a cached trained component whose config and data are unchanged, whatever its code: a
        # change of how texts are read (typed_text) or learnt must train the readers again.
        sources = [sys.modules[name] for name in (cls.__module__, __name__, typed_text.__name__)]
        return hashlib.sha256("".join(inspect.getsource(module) for module in sources).encode("utf-8")).hexdigest()

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls: Type[Reader],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Reader:
        return cls(config, model_storage, resource)

    def persist(self) -> None:
        assert self.model is not None
        save_model(self._model_storage, self._resource, self.MODEL_FILE, self.model)

    @classmethod
    def load(
        cls: Type[Reader],
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Reader:
        return cls(config, model_storage, resource, load_model(model_storage, resource, cls.MODEL_FILE))
