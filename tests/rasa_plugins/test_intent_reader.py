"""The intent reader: an intent and a ranking for each message, kept through a save and a load."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_plugins.intent_reader import IntentReader

pytestmark = pytest.mark.unit

TRAINING = {
    "affirm": ["oui", "oui c'est ça", "exact", "tout à fait", "d'accord", "c'est bien ça"],
    "deny": ["non", "pas du tout", "non c'est pas ça", "négatif", "absolument pas", "non merci"],
    "request_human": [
        "je veux parler à un humain",
        "un vrai conseiller svp",
        "passez-moi une personne",
        "je préfère parler à quelqu'un",
        "une vraie personne",
        "un agent humain",
    ],
}


def _storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage"), ExecutionContext(GraphSchema({}), node_name="intent_reader")


@pytest.fixture
def reader(tmp_path):
    storage, context = _storage(tmp_path)
    resource = Resource("intent_reader")
    component = IntentReader.create({}, storage, resource, context)
    component.train(
        TrainingData([Message(data={"text": t, "intent": i}) for i, texts in TRAINING.items() for t in texts])
    )
    return IntentReader.load({}, storage, resource, context)


def _parse(reader, text):
    message = Message(data={"text": text})
    reader.process([message])
    return message.as_dict(only_output_properties=True)


def test_reads_an_intent_without_accents_after_a_save_and_load(reader):
    parse = _parse(reader, "je veux parler a un HUMAIN")
    assert parse["intent"]["name"] == "request_human"
    assert parse["intent_ranking"][0] == parse["intent"]


def test_the_ranking_holds_every_intent_best_first_and_sums_to_one(reader):
    ranking = _parse(reader, "oui exact")["intent_ranking"]
    assert [entry["name"] for entry in ranking][0] == "affirm"
    assert sorted(entry["name"] for entry in ranking) == sorted(TRAINING)
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)


def test_the_ranking_is_cut_at_its_length(tmp_path):
    storage, context = _storage(tmp_path)
    resource = Resource("intent_reader")
    component = IntentReader.create({"ranking_length": 2}, storage, resource, context)
    component.train(
        TrainingData([Message(data={"text": t, "intent": i}) for i, texts in TRAINING.items() for t in texts])
    )
    assert len(_parse(component, "non")["intent_ranking"]) == 2


def test_with_nothing_to_learn_it_reads_nothing(tmp_path):
    storage, context = _storage(tmp_path)
    resource = Resource("intent_reader")
    component = IntentReader.create({}, storage, resource, context)
    component.train(TrainingData([Message(data={"text": "oui", "intent": "affirm"})]))
    loaded = IntentReader.load({}, storage, resource, context)
    assert "intent" not in _parse(loaded, "oui")
