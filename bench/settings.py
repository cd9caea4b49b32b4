"""What a bench run does, read once from the environment: the full run, or BENCH_QUICK=1 while developing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from bench.noise import DEFAULT_SEED, DEFAULT_TYPO_RATE

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FOLDS = 5


@dataclass(frozen=True)
class BenchSettings:
    quick: bool
    folds_run: int  # of the FOLDS folds, how many are trained and scored
    training_jobs: int  # Rasa NLU trainings run at once (test set and cross-validation)
    epochs: Optional[int]  # None: every config as written; else their epochs overridden
    concurrency: Tuple[int, ...]
    warmup_seconds: float
    load_seconds: float
    profile_seconds: float
    postgres_admin_url: str
    database_name: str
    noise_seed: int
    typo_rate: float


def bench_settings() -> BenchSettings:
    env = os.environ
    quick = env.get("BENCH_QUICK", "") not in ("", "0")
    return BenchSettings(
        quick=quick,
        folds_run=1 if quick else FOLDS,
        training_jobs=int(env.get("BENCH_JOBS", "1")),
        epochs=10 if quick else None,
        concurrency=(1, 5) if quick else (1, 10, 50),
        warmup_seconds=5 if quick else 10,
        load_seconds=30 if quick else 60,
        profile_seconds=20,
        postgres_admin_url=env.get(
            "BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
        ),
        database_name=env.get("BENCH_DATABASE", "entree_express_bench"),
        noise_seed=int(env.get("BENCH_NOISE_SEED", DEFAULT_SEED)),
        typo_rate=float(env.get("BENCH_TYPO_RATE", DEFAULT_TYPO_RATE)),
    )


def shown(path: Path) -> str:
    """A path as the report prints it: from the repository's root when it is inside."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
