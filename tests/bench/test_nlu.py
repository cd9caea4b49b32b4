import contextlib
import dataclasses
import threading
from collections import Counter

import pytest

from bench.nlu import (
    Example,
    NLUBench,
    _prediction,
    cv_folds,
    rasa_environment,
    record_fold,
    training_pool,
    with_epochs,
)
from bench.settings import bench_settings

pytestmark = pytest.mark.unit

CONFIG = {
    "language": "fr",
    "pipeline": [{"name": "SpacyNLP"}, {"name": "DIETClassifier", "epochs": 60, "random_seed": 42}],
    "policies": [{"name": "RulePolicy"}, {"name": "TEDPolicy", "epochs": 60}],
}


def test_quick_mode_changes_only_the_epochs():
    quick = with_epochs(CONFIG, 10)
    assert quick["pipeline"] == [{"name": "SpacyNLP"}, {"name": "DIETClassifier", "epochs": 10, "random_seed": 42}]
    assert quick["policies"][1] == {"name": "TEDPolicy", "epochs": 10}
    assert CONFIG["pipeline"][1]["epochs"] == 60
    assert with_epochs(CONFIG, None) is CONFIG


def test_a_parse_is_scored_by_its_intent_and_canonical_entities():
    parse = {
        "intent": {"name": "faq_cric", "confidence": 0.9},
        "entities": [{"entity": "document", "value": "eca", "start": 0, "end": 3}],
    }
    assert _prediction(parse).label == "faq_cric"
    assert _prediction(parse).entities == frozenset({("document", "eca")})
    assert _prediction({"intent": {"name": "nlu_fallback"}}).label == "nlu_fallback"


def test_folds_are_stratified_and_cover_every_example_once():
    examples = [Example(f"{label} {i}", label, frozenset()) for label in ("a", "b", "c") for i in range(10)]
    folds = cv_folds(examples)
    assert len(folds) == 5
    held_out = [i for _, test in folds for i in test]
    assert sorted(held_out) == list(range(30))
    for _, test in folds:
        assert Counter(examples[i].label for i in test) == {"a": 2, "b": 2, "c": 2}


def test_cross_validation_figures_cover_the_folds_scored_so_far():
    cv = {"folds": [None] * 5, "folds_done": 0}
    record_fold(cv, 3, {"accuracy": 0.5, "macro_f1": 0.8, "labels": [["a", "a"], ["b", "a"]]}, 100.0)
    assert (cv["folds_done"], cv["macro_f1_mean"], cv["macro_f1_std"]) == (1, 0.8, 0.0)
    assert cv["by_label"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "examples": 1}
    record_fold(cv, 1, {"accuracy": 1.0, "macro_f1": 1.0, "labels": [["b", "b"]]}, 120.0)
    assert cv["folds_done"] == 2 and cv["folds"][0]["training_seconds"] == 120.0 and cv["folds"][1] is None
    assert abs(cv["macro_f1_mean"] - 0.9) < 1e-9 and abs(cv["macro_f1_std"] - 0.1) < 1e-9
    assert abs(cv["accuracy_mean"] - 0.75) < 1e-9
    # Pooled over the folds done: b's two held-out examples, one right.
    assert cv["by_label"]["b"]["examples"] == 2 and cv["by_label"]["b"]["recall"] == 0.5
    assert cv["confusions"]["most_frequent"] == [{"expected": "b", "predicted": "a", "count": 1}]


def test_a_training_beside_another_gets_one_tensorflow_thread(tmp_path, monkeypatch):
    for name in ("TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    beside = rasa_environment(tmp_path, tf_threads=1)
    assert (beside["TF_INTRA_OP_PARALLELISM_THREADS"], beside["TF_INTER_OP_PARALLELISM_THREADS"]) == ("1", "1")
    alone = rasa_environment(tmp_path)
    assert alone["RASA_CACHE_DIRECTORY"] == str(tmp_path)
    assert "TF_INTRA_OP_PARALLELISM_THREADS" not in alone and "TF_INTER_OP_PARALLELISM_THREADS" not in alone


def test_a_stopped_run_cancels_the_queued_trainings_and_lets_the_running_one_finish():
    running, release = threading.Event(), threading.Event()

    def training() -> str:
        running.set()
        release.wait(5)
        return "trained"

    with pytest.raises(KeyboardInterrupt):
        with training_pool(1) as pool:
            first, queued = pool.submit(training), pool.submit(training)
            # The running training ends only once the queued one is cancelled (or, without the cancel, after
            # 5 s, when the queued one then runs): releasing it earlier would race the interrupt.
            queued.add_done_callback(lambda _: release.set())
            running.wait(5)
            raise KeyboardInterrupt
    assert queued.cancelled()
    assert first.result(timeout=5) == "trained"


@pytest.mark.system
def test_only_the_pipelines_asked_for_are_trained_and_scored(tmp_path):
    settings = dataclasses.replace(bench_settings(), folds_run=1, epochs=None)
    nlu = NLUBench(settings, tmp_path, lambda name: contextlib.nullcontext(), pipelines=("tfidf_logreg",))
    assert nlu.summary()["pipelines_names"] == {"tfidf_logreg": "TF-IDF + logistic regression"}
    pipelines = {"tfidf_logreg": {}}
    # No Rasa pipeline asked for: no Rasa training, so this runs in seconds.
    nlu.cross_validation(pipelines)
    cv = pipelines["tfidf_logreg"]["cv"]
    assert cv["folds_done"] == 1
    assert sum(f["examples"] for f in cv["by_label"].values()) == len(cv_folds(nlu.training)[0][1])
