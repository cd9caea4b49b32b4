"""NLU figures of four pipelines on the same data: the project's config.yml, the DIET variant it
replaced, Rasa's default (what `rasa init` gives) and TF-IDF with logistic regression. Test set, noisy test set, 5-fold
cross-validation, training time."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

import yaml
from sklearn.model_selection import StratifiedKFold

from bench.message_sets import MESSAGE_SETS, Reading, load_message_set, score_message_set
from bench.metrics import confusions, entity_f1, intent_scores, mean_and_std, per_label
from bench.noise import noisy_copy
from bench.settings import FOLDS, ROOT, BenchSettings, shown
from bot.domain.case import causes_from_intent
from bot.domain.cause_reading import causes_restated

NLU_DATA = ROOT / "data" / "nlu"
TEST_SET = ROOT / "tests" / "nlu" / "test_nlu.yml"
PROJECT_CONFIG = ROOT / "config.yml"
PIPELINES = {
    "project": "project (config.yml)",
    "diet": "DIET variant (bench/configs/diet.yml)",
    "rasa_default": "Rasa default (rasa init)",
    "tfidf_logreg": "TF-IDF + logistic regression",
}
RASA_PIPELINES = ("project", "diet", "rasa_default")
DIET_CONFIG = ROOT / "bench" / "configs" / "diet.yml"
CV_SEED = 42
CONFUSIONS_SHOWN = 15


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    entities: FrozenSet[Tuple[str, str]]


@dataclass(frozen=True)
class Prediction:
    label: str
    entities: FrozenSet[Tuple[str, str]]


def _load(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def examples_of(training_data) -> List[Example]:
    return [
        Example(
            text=m.get("text"),
            label=m.get("intent"),
            entities=frozenset((e["entity"], e.get("value")) for e in m.get("entities") or []),
        )
        for m in training_data.intent_examples
    ]


def rasa_default_config(language: str = "fr") -> Dict[str, Any]:
    """`rasa init`'s config.yml with `language` set, and the pipeline and policies that Rasa fills
    in for it at training time (its pipeline and policies are left empty, commented out)."""
    import rasa.cli
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    written_by_init = Path(rasa.cli.__file__).parent / "initial_project" / "config.yml"
    config = yaml.safe_load(written_by_init.read_text(encoding="utf-8"))
    config["language"] = language
    return DefaultV1Recipe.complete_config(config, {key for key in ("pipeline", "policies") if not config.get(key)})


def write_config(config: Dict[str, Any], path: Path, comment: str = "") -> Path:
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    path.write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def with_epochs(config: Dict[str, Any], epochs: Optional[int]) -> Dict[str, Any]:
    """The same config with every component that trains for epochs trained for `epochs` (quick mode)."""
    if epochs is None:
        return config

    def override(items):
        return [dict(item, epochs=epochs) if "epochs" in item else item for item in items or []]

    return dict(config, pipeline=override(config.get("pipeline")), policies=override(config.get("policies")))


def rasa_environment(cache_dir: Path, tf_threads: Optional[int] = None) -> Dict[str, str]:
    # A fresh cache per training: Rasa would otherwise reuse a previous run's featurisation.
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        RASA_CACHE_DIRECTORY=str(cache_dir),
    )
    if tf_threads is not None:
        # Read by Rasa at start-up (rasa/utils/tensorflow/environment.py).
        env.update(TF_INTRA_OP_PARALLELISM_THREADS=str(tf_threads), TF_INTER_OP_PARALLELISM_THREADS=str(tf_threads))
    return env


def run_rasa_train(
    arguments: Sequence[str], out_dir: Path, name: str, log_path: Path, tf_threads: Optional[int] = None
) -> Tuple[Path, float]:
    """`rasa train ...` in a subprocess; the model's path and the command's wall-clock seconds."""
    command = [sys.executable, "-m", "rasa", "train", *arguments, "--out", str(out_dir), "--fixed-model-name", name]
    with tempfile.TemporaryDirectory(prefix="rasa-cache-") as cache, open(log_path, "w") as log:
        started = time.monotonic()
        completed = subprocess.run(
            command, cwd=ROOT, env=rasa_environment(Path(cache), tf_threads), stdout=log, stderr=subprocess.STDOUT
        )
        seconds = time.monotonic() - started
    model = out_dir / f"{name}.tar.gz"
    if completed.returncode != 0 or not model.exists():
        raise RuntimeError(f"rasa train {' '.join(arguments[:1])} failed ({completed.returncode}); see {log_path}")
    return model, seconds


class RasaNLU:
    """A trained Rasa model answering like `rasa run` would parse a message."""

    def __init__(self, model_path: Path):
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        # Unconfigured, Rasa's structlog prints every parsed message (text included) at debug level.
        configure_structlog(logging.WARNING)
        self.agent = Agent.load(str(model_path))

    def _parse(self, texts: Sequence[str]) -> List[Dict[str, Any]]:
        async def parse_all():
            return [await self.agent.parse_message(text) for text in texts]

        return asyncio.run(parse_all())

    def predict(self, texts: Sequence[str]) -> List[Prediction]:
        return [_prediction(parse) for parse in self._parse(texts)]

    def read(self, texts: Sequence[str]) -> List[Reading]:
        """The causes the assistant restates, by its own rule on the intent and its ranking."""
        return [
            Reading(
                tuple(cause.value for cause in causes_restated(parse)), (parse.get("intent") or {}).get("name") or ""
            )
            for parse in self._parse(texts)
        ]


def _prediction(parse: Dict[str, Any]) -> Prediction:
    label = (parse.get("intent") or {}).get("name") or ""
    entities = frozenset((e["entity"], e.get("value")) for e in parse.get("entities") or [])
    return Prediction(label, entities)


class TfidfLogReg:
    """Word 1-2-grams and character 2-5-grams (within word boundaries), balanced logistic regression."""

    def __init__(self, examples: Sequence[Example]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        self.model = make_pipeline(
            make_union(
                TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
            ),
            LogisticRegression(class_weight="balanced", max_iter=2000),
        )
        self.model.fit([e.text for e in examples], [e.label for e in examples])

    def predict(self, texts: Sequence[str]) -> List[Prediction]:
        return [Prediction(label, frozenset()) for label in self.model.predict(list(texts))]

    def read(self, texts: Sequence[str]) -> List[Reading]:
        return [
            Reading(tuple(cause.value for cause in causes_from_intent(p.label)), p.label) for p in self.predict(texts)
        ]


def score(model, examples: Sequence[Example], with_entities: bool) -> Dict[str, Any]:
    predictions = model.predict([e.text for e in examples])
    scores = intent_scores([e.label for e in examples], [p.label for p in predictions])
    if with_entities:
        scores["entity_f1"] = entity_f1([set(e.entities) for e in examples], [set(p.entities) for p in predictions])
    scores["errors"] = [
        {"text": e.text, "expected": e.label, "predicted": p.label}
        for e, p in zip(examples, predictions, strict=True)
        if e.label != p.label
    ]
    scores["labels"] = [[e.label, p.label] for e, p in zip(examples, predictions, strict=True)]
    return scores


def cv_folds(examples: Sequence[Example], folds: int = FOLDS, seed: int = CV_SEED):
    labels = [e.label for e in examples]
    return list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(labels, labels))


def record_fold(cv: Dict[str, Any], number: int, scores: Dict[str, Any], seconds: float) -> None:
    """Fold `number` (from 1) into `cv`, whose mean and spread, figures by label and most frequent
    confusions then cover the folds scored so far."""
    cv["folds"][number - 1] = {
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        "training_seconds": seconds,
        "labels": scores["labels"],
    }
    done = [fold for fold in cv["folds"] if fold is not None]
    cv["folds_done"] = len(done)
    for metric in ("accuracy", "macro_f1"):
        cv[f"{metric}_mean"], cv[f"{metric}_std"] = mean_and_std(fold[metric] for fold in done)
    # Every held-out example once: pooled over folds, a label's few examples still give one F1.
    expected = [pair[0] for fold in done for pair in fold["labels"]]
    predicted = [pair[1] for fold in done for pair in fold["labels"]]
    cv["by_label"] = per_label(expected, predicted)
    cv["confusions"] = confusions(expected, predicted, top=CONFUSIONS_SHOWN)


def write_nlu_subset(training_data, indices: Sequence[int], path: Path) -> Path:
    """The chosen examples with every synonym, regex and lookup table of the training data."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    subset = TrainingData(
        training_examples=[training_data.intent_examples[i] for i in indices],
        entity_synonyms=training_data.entity_synonyms,
        regex_features=training_data.regex_features,
        lookup_tables=training_data.lookup_tables,
    )
    RasaYAMLWriter().dump(str(path), subset)
    return path


def write_noisy_test_set(noisy: Sequence[Example], path: Path) -> Path:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    messages = []
    for example in noisy:
        intent, _, response_key = example.label.partition("/")
        data = {"text": example.text, "intent": intent}
        if response_key:
            data["intent_response_key"] = example.label
        messages.append(Message(data=data))
    RasaYAMLWriter().dump(str(path), TrainingData(training_examples=messages))
    return path


@contextmanager
def training_pool(jobs: int) -> Iterator[ThreadPoolExecutor]:
    """A failed training or a stopped run ends the run at once: queued trainings are cancelled, and those
    already running finish unused."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


class NLUBench:
    """Runs every NLU measure; `stage` times each step and prints it."""

    def __init__(
        self,
        settings: BenchSettings,
        results_dir: Path,
        stage: Callable[[str], Any],
        pipelines: Sequence[str] = tuple(PIPELINES),
    ):
        self.settings = settings
        self.pipelines = [name for name in PIPELINES if name in pipelines]
        self.rasa_pipelines = [name for name in self.pipelines if name in RASA_PIPELINES]
        self.results_dir = results_dir
        self.logs = results_dir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.stage = stage
        self.training_data = _load(NLU_DATA)
        self.training = examples_of(self.training_data)
        self.test = examples_of(_load(TEST_SET))
        self.message_sets = {name: load_message_set(folder) for name, folder in MESSAGE_SETS.items()}
        noisy = noisy_copy([e.text for e in self.test], self.settings.noise_seed, self.settings.typo_rate)
        self.noisy = [Example(n.text, e.label, frozenset()) for n, e in zip(noisy, self.test, strict=True)]
        self.noise_summary = {
            "seed": self.settings.noise_seed,
            "typo_rate": self.settings.typo_rate,
            "typos": sum(len(n.typos) for n in noisy),
            "letters": sum(ch.isalpha() for e in self.test for ch in e.text),
            "file": shown(write_noisy_test_set(self.noisy, results_dir / "noisy_test_nlu.yml")),
        }
        self.configs = self._write_configs()

    def _write_configs(self) -> Dict[str, Path]:
        default = write_config(
            rasa_default_config(),
            self.results_dir / "rasa_default_config.yml",
            "What `rasa init` writes (rasa/cli/initial_project/config.yml) with language: fr, and the\n"
            "pipeline and policies Rasa fills in for its empty keys (engine/recipes/config_files/default_config.yml).",
        )
        configs = {"project": PROJECT_CONFIG, "diet": DIET_CONFIG, "rasa_default": default}
        if self.settings.epochs is not None:
            for name, path in list(configs.items()):
                config = with_epochs(yaml.safe_load(path.read_text(encoding="utf-8")), self.settings.epochs)
                configs[name] = write_config(
                    config,
                    self.logs / f"quick_{name}_config.yml",
                    f"quick mode: {path.name} with {self.settings.epochs} epochs",
                )
        return configs

    def _train_rasa(self, name: str, nlu_path: Path, out_dir: Path, model_name: str) -> Tuple[Path, float]:
        # One at a time by default: in the full run of 2 December, side by side with one TensorFlow thread
        # each, the project's DIET took 9.8 s an epoch against 4.9 s alone with TensorFlow's pools, and Rasa's
        # default 18 s against 14.5 s alone on one thread. (Ten-epoch trainings had suggested the opposite:
        # there, featurising, which uses one core whatever the threads, dominated.)
        return run_rasa_train(
            ["nlu", "--config", str(self.configs[name]), "--nlu", str(nlu_path)],
            out_dir,
            model_name,
            self.logs / f"train_{model_name}.log",
            tf_threads=1 if self.settings.training_jobs > 1 else None,
        )

    @staticmethod
    def _train_tfidf(training: Sequence[Example]) -> Tuple[TfidfLogReg, float]:
        started = time.monotonic()
        model = TfidfLogReg(training)
        return model, time.monotonic() - started

    def test_sets(self) -> Iterator[Tuple[str, Dict[str, Any]]]:
        """Trained on all of data/nlu (the Rasa pipelines `training_jobs` at a time, each timed); scored on the
        test set and its noisy copy. Each pipeline's figures come as soon as they are measured, so a stopped
        run keeps them."""
        with (
            tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp,
            training_pool(self.settings.training_jobs) as pool,
        ):
            trainings = {
                name: pool.submit(
                    self._timed_training, f"nlu {name}: train on data/nlu", name, NLU_DATA, Path(tmp), name
                )
                for name in self.rasa_pipelines
            }
            for name in self.pipelines:
                if name in RASA_PIPELINES:
                    path, seconds = trainings[name].result()
                else:
                    with self.stage(f"nlu {name}: train on data/nlu"):
                        model, seconds = self._train_tfidf(self.training)
                with self.stage(f"nlu {name}: load, test and noisy test"):
                    if name in RASA_PIPELINES:
                        model = RasaNLU(path)
                    result = {
                        "training_seconds": seconds,
                        "test": score(model, self.test, with_entities=name in RASA_PIPELINES),
                        "noisy": score(model, self.noisy, with_entities=False),
                    }
                    # Written outside the team: the development set to tune on, the blind sets to report.
                    for set_name, message_set in self.message_sets.items():
                        result[set_name] = score_message_set(message_set, model.read)
                del model
                gc.collect()
                yield name, result

    def cross_validation(self, pipelines: Dict[str, Dict[str, Any]]) -> None:
        """Writes each pipeline's `cv` entry in `pipelines` as its folds are scored, so that a stopped run
        keeps the folds done. Rasa trainings run `training_jobs` at a time; each model is scored as soon
        as it is trained."""
        folds = cv_folds(self.training)[: self.settings.folds_run]
        for name in self.pipelines:
            pipelines[name]["cv"] = {"folds": [None] * len(folds), "folds_done": 0}

        def record(name: str, number: int, scores: Dict[str, Any], seconds: float) -> None:
            record_fold(pipelines[name]["cv"], number, scores, seconds)

        with tempfile.TemporaryDirectory(prefix="bench-cv-") as tmp, training_pool(self.settings.training_jobs) as pool:
            held_out, trainings = {}, {}
            for number, (train_idx, test_idx) in enumerate(folds, start=1):
                train_path = write_nlu_subset(self.training_data, train_idx, Path(tmp) / f"fold{number}.yml")
                held_out[number] = [self.training[i] for i in test_idx]
                for name in self.rasa_pipelines:
                    label, model_name = f"cv fold {number}/{FOLDS} {name}: train", f"{name}_fold{number}"
                    future = pool.submit(self._timed_training, label, name, train_path, Path(tmp), model_name)
                    trainings[future] = (name, number)
                if "tfidf_logreg" in self.pipelines:
                    with self.stage(f"cv fold {number}/{FOLDS} tfidf_logreg: train and score"):
                        model, seconds = self._train_tfidf([self.training[i] for i in train_idx])
                        record("tfidf_logreg", number, score(model, held_out[number], with_entities=False), seconds)
            for done in as_completed(trainings):
                name, number = trainings[done]
                path, seconds = done.result()
                with self.stage(f"cv fold {number}/{FOLDS} {name}: load and score"):
                    model = RasaNLU(path)
                    record(name, number, score(model, held_out[number], with_entities=False), seconds)
                    del model
                    gc.collect()

    def _timed_training(
        self, label: str, name: str, nlu_path: Path, out_dir: Path, model_name: str
    ) -> Tuple[Path, float]:
        with self.stage(label):
            return self._train_rasa(name, nlu_path, out_dir, model_name)

    def summary(self) -> Dict[str, Any]:
        return {
            "pipelines_names": {name: PIPELINES[name] for name in self.pipelines},
            "training_examples": len(self.training),
            "test_messages": len(self.test),
            "folds": FOLDS,
            "folds_run": self.settings.folds_run,
            "rasa_trainings_at_once": self.settings.training_jobs,
            "epochs_override": self.settings.epochs,
            "noise": self.noise_summary,
            "configs": {name: shown(path) for name, path in self.configs.items()},
        }


def train_assistant(settings: BenchSettings, out_dir: Path, log_path: Path) -> Tuple[Path, float]:
    """`rasa train` of config.yml, domain.yml and data/ (NLU and dialogue), as `make train` runs it."""
    config = PROJECT_CONFIG
    if settings.epochs is not None:
        config = write_config(
            with_epochs(yaml.safe_load(PROJECT_CONFIG.read_text(encoding="utf-8")), settings.epochs),
            out_dir / "quick_config.yml",
            f"quick mode: config.yml with {settings.epochs} epochs",
        )
    return run_rasa_train(
        ["--config", str(config), "--domain", str(ROOT / "domain.yml"), "--data", str(ROOT / "data")],
        out_dir,
        "assistant",
        log_path,
    )
