"""`python -m bench` (what `make bench` runs): measures, then writes bench/results/ and prints a summary.

Stages: nlu (four pipelines on the test set, its noisy copy and the message sets), cv (cross-validation), letters
(the letter reader on the blind letters), train (the whole assistant, whose model is then served), serving (the
real stack under load). While developing,
`--stages` runs a subset and `--pipelines` some of the NLU pipelines; `--model` serves an existing
model instead of the one trained in the run; `--report-only` writes the report and charts again from
the last run's results.json and logs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator

from bench.machine import git_commit, machine, now, versions
from bench.nlu import PIPELINES
from bench.report import make_charts, render, summary
from bench.settings import RESULTS, bench_settings
from bench.training import training_by_component

STAGES = ("nlu", "cv", "letters", "train", "serving")
TRAIN_LOG = RESULTS / "logs" / "train_assistant.log"


class StageClock:
    def __init__(self) -> None:
        self.seconds: Dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        print(f"[bench] {name} ...", flush=True)
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = time.monotonic() - started
            print(f"[bench] {name}: {_duration(self.seconds[name])}", flush=True)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default=",".join(STAGES), help=f"comma-separated, among {', '.join(STAGES)}")
    parser.add_argument(
        "--pipelines", default=",".join(PIPELINES), help=f"NLU pipelines, comma-separated, among {', '.join(PIPELINES)}"
    )
    parser.add_argument("--model", type=Path, help="serve this model instead of training one (skips 'train')")
    parser.add_argument("--report-only", action="store_true", help="measure nothing: write the last run's report again")
    args = parser.parse_args(argv)
    if args.report_only:
        results = json.loads((RESULTS / "results.json").read_text(encoding="utf-8"))
        write_report(results)
        print(summary(results))
        return 0
    stages = [s for s in args.stages.split(",") if s]
    unknown = set(stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
    pipelines = [p for p in args.pipelines.split(",") if p]
    unknown = set(pipelines) - set(PIPELINES)
    if unknown or not pipelines:
        parser.error(f"unknown or no pipeline(s): {', '.join(sorted(unknown))}")
    if "serving" in stages and "train" not in stages and args.model is None:
        parser.error("serving needs a model: add the 'train' stage or give --model")

    settings = bench_settings()
    # A report shows one run: nothing of an earlier run is left beside it.
    shutil.rmtree(RESULTS, ignore_errors=True)
    (RESULTS / "logs").mkdir(parents=True)
    clock = StageClock()
    started = time.monotonic()
    results = {
        "quick": settings.quick,
        "stages_run": stages,
        "machine": machine(),
        "date": now(),
        "commit": git_commit(),
        "versions": versions(settings.postgres_admin_url),
        "stages": clock.seconds,
    }
    print(f"[bench] {'quick' if settings.quick else 'full'} run: {', '.join(stages)}", flush=True)

    # `kill` (SIGTERM) ends the run like Ctrl-C does: the figures of the stages already done are kept.
    signal.signal(signal.SIGTERM, _stop)
    try:
        if "nlu" in stages or "cv" in stages:
            from bench.nlu import NLUBench

            with clock("nlu: data, noisy copy, configs"):
                nlu = NLUBench(settings, RESULTS, clock, pipelines)
            results["nlu"] = nlu.summary()
            pipelines = results["nlu"]["pipelines"] = {name: {} for name in results["nlu"]["pipelines_names"]}
            if "nlu" in stages:
                for name, result in nlu.test_sets():
                    pipelines[name].update(result)
            if "cv" in stages:
                nlu.cross_validation(pipelines)

        if "letters" in stages:
            from bench.letters import LATEST_LETTERS, letters_bench

            with clock("letters: the blind letters, as text and as files"):
                results["letters"] = letters_bench(LATEST_LETTERS)

        with tempfile.TemporaryDirectory(prefix="bench-assistant-") as tmp:
            model = args.model
            if "train" in stages and args.model is None:
                from bench.nlu import train_assistant

                with clock("train: rasa train (whole assistant)"):
                    model, seconds = train_assistant(settings, Path(tmp), TRAIN_LOG)
                results["training"] = {"assistant_seconds": seconds, "epochs_override": settings.epochs}
            if "serving" in stages:
                from bench.serving import ServingBench

                results["serving"] = ServingBench(settings, model.resolve(), RESULTS, clock).run()

    finally:
        # A failed stage still leaves the figures of the stages before it.
        results["total_seconds"] = time.monotonic() - started
        write_report(results)
    print(summary(results))
    print(f"[bench] whole run: {_duration(results['total_seconds'])}; report: {RESULTS / 'report.md'}", flush=True)
    return 0


def _stop(signum, frame) -> None:
    raise SystemExit(128 + signum)


def write_report(results: Dict) -> None:
    """results.json, the charts and report.md; figures derived from the run's logs are added first."""
    if "training" in results and TRAIN_LOG.exists():
        results["training"]["components"] = training_by_component(
            TRAIN_LOG.read_text(encoding="utf-8", errors="replace"), results["training"]["assistant_seconds"]
        )
    (RESULTS / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    charts = make_charts(results, RESULTS)
    (RESULTS / "report.md").write_text(render(results, charts), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
