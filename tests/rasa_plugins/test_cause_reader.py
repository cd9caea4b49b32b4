"""The cause reader: each cause scored on its own, sentence by sentence, and kept through a save and a load."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain.cause_reading import CAUSE_SCORES_KEY, causes_restated
from bot.rasa_plugins.cause_reader import CauseReader

pytestmark = pytest.mark.unit

TRAINING = {
    "refusal_missing_documents": [
        "mon test de langue avait expiré",
        "mon ielts était expiré au moment de la demande",
        "il manquait ma preuve de fonds",
        "je n'ai pas envoyé le certificat de police",
        "la lettre de l'employeur manquait",
        "mon passeport était expiré dans le dossier",
    ],
    "refusal_medical_inadmissibility": [
        "refusé pour raison médicale",
        "ma santé représente un fardeau excessif",
        "l'examen médical a trouvé une tuberculose",
        "interdit de territoire pour motifs sanitaires",
        "mon fils malade coûterait trop cher au système de santé",
        "problème de santé détecté à la visite médicale",
    ],
    "refusal_missing_documents+refusal_medical_inadmissibility": [
        "test de langue expiré et en plus un problème de santé",
    ],
    "affirm": ["oui", "oui c'est ça", "exact", "tout à fait", "d'accord", "c'est bien ça"],
    "inform": ["mon invitation est arrivée en mars", "j'ai envoyé ma demande en mai", "biométrie faite en juin"],
}


def _training_data() -> TrainingData:
    return TrainingData(
        [Message(data={"text": text, "intent": intent}) for intent, texts in TRAINING.items() for text in texts]
    )


@pytest.fixture
def reader(tmp_path):
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    context = ExecutionContext(GraphSchema({}), node_name="cause_reader")
    resource = Resource("cause_reader")
    # The tiny training set's scores are low: both thresholds at 0.5.
    config = {**CauseReader.get_default_config(), "threshold": 0.5, "sentence_threshold": 0.5}
    component = CauseReader.create(config, storage, resource, context)
    component.train(_training_data())
    return CauseReader.load(config, storage, resource, context)


def _parse(reader: CauseReader, text: str, intent: str, confidence: float = 0.9) -> dict:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": confidence}})
    reader.process([message])
    return message.as_dict(only_output_properties=False)


def test_two_causes_in_two_sentences_of_a_story_come_out_together_after_a_save_and_load(reader):
    story = (
        "Invitation en mars, demande envoyée en mai, biométrie faite en juin. Puis refus. "
        "Mon test de langue avait expiré. Et l'examen médical a trouvé une tuberculose."
    )
    parse = _parse(reader, story, "refusal_missing_documents")
    assert [entry["cause"] for entry in parse[CAUSE_SCORES_KEY]] == ["missing_documents", "medical_inadmissibility"]
    assert parse["intent"]["name"] == "refusal_missing_documents+refusal_medical_inadmissibility"
    assert [cause.value for cause in causes_restated(parse)] == ["missing_documents", "medical_inadmissibility"]


def test_a_fallback_with_a_clear_cause_becomes_a_refusal(reader):
    parse = _parse(reader, "bon ben mon ielts était expiré", "nlu_fallback", confidence=0.3)
    assert parse["intent"]["name"] == "refusal_missing_documents"


def test_an_answer_that_tells_a_cause_becomes_a_refusal_and_one_that_does_not_stays_an_answer(reader):
    assert _parse(reader, "refusée le 3 novembre, mon ielts était expiré", "inform")["intent"]["name"] == (
        "refusal_missing_documents"
    )
    assert _parse(reader, "en juin", "inform")["intent"]["name"] == "inform"


def test_another_intent_and_a_button_payload_are_left_as_they_are(reader):
    assert CAUSE_SCORES_KEY not in _parse(reader, "oui c'est ça", "affirm")
    assert _parse(reader, "oui, mon test de langue avait expiré", "affirm")["intent"]["name"] == "affirm"
    assert CAUSE_SCORES_KEY not in _parse(reader, "/refusal_missing_documents", "refusal_missing_documents")


def test_a_cause_s_own_threshold_in_the_config_is_the_one_applied(reader):
    story = "Invitation en mars, demande en mai. Mon test de langue avait expiré. Et puis le refus."
    assert _parse(reader, story, "refusal_missing_documents")[CAUSE_SCORES_KEY]
    strict = {**reader.config, "cause_thresholds": {"missing_documents": 1.0}}
    strict["cause_sentence_thresholds"] = {"missing_documents": None}
    stricter = CauseReader(strict, reader._model_storage, reader._resource, reader.model)
    assert CAUSE_SCORES_KEY not in _parse(stricter, story, "refusal_missing_documents")
    with pytest.raises(ValueError, match="missing_document\\b"):
        CauseReader({**reader.config, "cause_thresholds": {"missing_document": 0.5}}, None, None)


def test_thresholds_left_empty_in_config_yml_keep_the_defaults(reader):
    # A key left empty in YAML is None: Rasa merges the config into the defaults as its graph does.
    from rasa.utils.common import override_defaults

    config = override_defaults(CauseReader.get_default_config(), {"cause_thresholds": None})
    assert CauseReader(config, reader._model_storage, reader._resource, reader.model).thresholds.whole_by_cause == {}
