"""The test stories (tests/test_stories.yml) against the trained dialogue policies."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.system.nlu_model import MODEL, ROOT

pytestmark = pytest.mark.system

RESULTS = ROOT / "results" / "core"


def test_every_test_story_is_predicted_exactly():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(MODEL),
            "--stories",
            "tests/test_stories.yml",
            "--out",
            str(RESULTS),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
    )
    failed = RESULTS / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else result.stderr[-3000:]
    assert result.returncode == 0, details
