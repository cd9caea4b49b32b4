"""The CRF entity extractor saved as its trained CRFs: after a save and a load, it reads what Rasa's does."""

from __future__ import annotations

import gc

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.loading import load_data

from bot.rasa_plugins import crf_entities
from bot.rasa_plugins.crf_entities import SavedCRFEntityExtractor

pytestmark = pytest.mark.unit

NLU = """version: "3.1"
nlu:
- intent: refusal_missing_documents
  examples: |
    - mon [ielts](document) avait expiré
    - il manquait mon [ielts](document) et ma [preuve de fonds](document)
    - ma [preuve de fonds](document) était insuffisante
    - le [certificat de police](document) du Maroc manquait
    - je n'ai pas envoyé le [certificat de police](document)
    - mon [tef](document) était trop vieux
- intent: inform
  examples: |
    - je suis au [Québec](province)
    - nomination de l'[Ontario](province)
    - j'habite en [Ontario](province) depuis trois ans
    - le [Québec](province) c'est chez moi
"""
READ = ["mon tef avait expiré", "il manquait la preuve de fonds", "je vis au Québec", "bonjour à vous"]


def _pipeline(tmp_path, name):
    (tmp_path / name).mkdir()
    storage = LocalModelStorage(tmp_path / name)
    context = ExecutionContext(GraphSchema({}), node_name=name)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource(f"{name}_cv"), context
    )
    return storage, context, tokenizer, featurizer


def _prepared(tmp_path, name):
    path = tmp_path / "nlu.yml"
    path.write_text(NLU, encoding="utf-8")
    data = load_data(str(path))
    storage, context, tokenizer, featurizer = _pipeline(tmp_path, name)
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    return data, storage, context, tokenizer, featurizer


def _entities(extractor, tokenizer, featurizer, texts):
    from rasa.shared.nlu.training_data.message import Message

    messages = [Message(data={"text": text}) for text in texts]
    tokenizer.process(messages)
    featurizer.process(messages)
    extractor.process(messages)
    return [[(e["entity"], e["value"]) for e in m.get("entities", [])] for m in messages]


def test_a_saved_extractor_loads_without_training_and_reads_as_rasa_s_does(tmp_path, monkeypatch):
    data, storage, context, tokenizer, featurizer = _prepared(tmp_path, "saved")
    resource = Resource("crf")
    config = {**CRFEntityExtractor.get_default_config(), "max_iterations": 30}
    SavedCRFEntityExtractor.create(config, storage, resource, context).train(data)
    rasa_s = CRFEntityExtractor.create(config, storage, Resource("rasa_crf"), context)
    rasa_s.train(data)

    # Loading trains nothing: Rasa's own load would call train_model again.
    def no_training(*args, **kwargs):
        raise AssertionError("the CRFs were trained again at load")

    monkeypatch.setattr(SavedCRFEntityExtractor, "train_model", classmethod(no_training))
    loaded = SavedCRFEntityExtractor.load(config, storage, resource, context)
    # crfsuite reads the model's bytes in place: once freed and their memory reused, it read garbage.
    with storage.read_from(resource) as model_dir:
        size = max(path.stat().st_size for path in model_dir.glob("*.crfsuite"))
    gc.collect()
    reused = [bytes([255]) * size for _ in range(200)]
    read = _entities(loaded, tokenizer, featurizer, READ)
    del reused
    assert read == _entities(rasa_s, tokenizer, featurizer, READ)
    assert ("document", "tef") in read[0] and read[3] == []
    with storage.read_from(resource) as model_dir:
        assert not (model_dir / "crf_dataset.json").exists()
        assert (model_dir / crf_entities.ORDER_FILE).exists()


def test_an_extractor_never_trained_loads_empty_and_reads_nothing(tmp_path):
    storage, context, tokenizer, featurizer = _pipeline(tmp_path, "empty")
    config = CRFEntityExtractor.get_default_config()
    loaded = SavedCRFEntityExtractor.load(config, storage, Resource("never_trained"), context)
    assert loaded.entity_taggers is None
