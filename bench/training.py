"""Where `rasa train`'s time goes, read from its log: each component's training, from Rasa's own
"Starting to train" and "Finished training" lines (whole seconds), and what lies outside them
(reading and validating the data, spaCy on every example, saving the model)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, List

_HOOK = re.compile(
    r"(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) INFO\s+rasa\.engine\.training\.hooks\s+- "
    r"(?P<event>Starting to train|Finished training) component '(?P<component>[^']+)'"
)
OUTSIDE = "outside the components (data, spaCy on every example, saving)"


def training_by_component(log: str, total_seconds: float) -> List[Dict[str, float]]:
    """[{"part": ..., "seconds": ...}] in training order, then what lies outside the components.

    A component used twice in the pipeline (two CountVectorsFeaturizer) is numbered the second time.
    """
    parts: List[Dict[str, float]] = []
    started: Dict[str, datetime] = {}
    uses: Dict[str, int] = {}
    for match in _HOOK.finditer(log):
        at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S")
        component = match["component"]
        if match["event"] == "Starting to train":
            started[component] = at
        elif component in started:
            uses[component] = uses.get(component, 0) + 1
            name = component if uses[component] == 1 else f"{component} #{uses[component]}"
            parts.append({"part": name, "seconds": (at - started.pop(component)).total_seconds()})
    if parts:
        parts.append({"part": OUTSIDE, "seconds": max(0.0, total_seconds - sum(p["seconds"] for p in parts))})
    return parts
