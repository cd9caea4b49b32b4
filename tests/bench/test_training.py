import pytest

from bench.training import OUTSIDE, training_by_component

pytestmark = pytest.mark.unit

# Rasa colours its log: the first line starts with an escape sequence.
LOG = (
    "\x1b[0m"
    + """\
2026-12-02 01:16:05 INFO     rasa.engine.training.hooks  - Starting to train component 'RegexFeaturizer'.
2026-12-02 01:16:05 INFO     rasa.engine.training.hooks  - Finished training component 'RegexFeaturizer'.
2026-12-02 01:16:08 INFO     rasa.engine.training.hooks  - Starting to train component 'CountVectorsFeaturizer'.
2026-12-02 01:16:09 INFO     rasa.engine.training.hooks  - Finished training component 'CountVectorsFeaturizer'.
Epochs:   0%|          | 0/60 [00:00<?, ?it/s]
2026-12-02 01:16:09 INFO     rasa.engine.training.hooks  - Starting to train component 'CountVectorsFeaturizer'.
2026-12-02 01:16:11 INFO     rasa.engine.training.hooks  - Finished training component 'CountVectorsFeaturizer'.
2026-12-02 01:16:13 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.
2026-12-02 01:20:55 INFO     rasa.engine.training.hooks  - Finished training component 'DIETClassifier'.
"""
)


def test_each_component_is_timed_in_order_and_the_rest_is_outside_them():
    parts = training_by_component(LOG, total_seconds=350)
    assert parts == [
        {"part": "RegexFeaturizer", "seconds": 0.0},
        {"part": "CountVectorsFeaturizer", "seconds": 1.0},
        {"part": "CountVectorsFeaturizer #2", "seconds": 2.0},
        {"part": "DIETClassifier", "seconds": 282.0},
        {"part": OUTSIDE, "seconds": 65.0},
    ]


def test_a_log_without_rasa_hooks_gives_nothing():
    assert training_by_component("rasa train failed\n", total_seconds=12) == []
