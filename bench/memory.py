"""Where a served model's memory and start-up time go. A child process reads its resident memory
(VmRSS) and the clock after the imports, after each graph node of the model is loaded, and after its
first messages are parsed; each part is what it added. This explains the Rasa server's peak RSS and
its time to ready, which `serving` measures."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

from bench.machine import rss_mib
from bench.settings import ROOT

MESSAGES = ("bonjour", "mon test de langue a expiré", "oui")
IMPORTS = "Python, Rasa and TensorFlow imports"
PARSED = "first messages parsed"
BETWEEN_NODES = "unpacking the model, building its graph (outside the nodes)"


def memory_by_part(model: Path) -> List[Dict[str, float]]:
    """[{"part": ..., "mib": ..., "seconds": ...}] in loading order, measured in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.memory", str(model)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false"),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def grouped(parts: List[Dict[str, float]], at_least_mib: float = 20) -> List[Dict[str, float]]:
    """Parts under `at_least_mib` summed into one row, so the table shows what matters."""
    kept = [part for part in parts if part["mib"] >= at_least_mib]
    small = [part for part in parts if part["mib"] < at_least_mib]
    if not small:
        return kept
    rest = {"part": f"everything else (parts under {at_least_mib:.0f} MiB each)"}
    rest.update({key: sum(part[key] for part in small) for key in small[0] if key != "part"})
    return kept + [rest]


def _measure(model: str) -> List[Dict[str, float]]:
    parts: List[Dict[str, float]] = []

    def measured(part: str, step: Callable[[], Any]) -> Any:
        memory, clock = rss_mib(), time.monotonic()
        done = step()
        parts.append({"part": part, "mib": rss_mib() - memory, "seconds": time.monotonic() - clock})
        return done

    def imports() -> Callable[..., Any]:
        import tensorflow  # noqa: F401  (imported by the model's first node anyway; counted with the imports)
        from rasa.core.agent import load_agent

        return load_agent

    load_agent = measured(IMPORTS, imports)
    import rasa.engine.graph as graph

    load_component = graph.GraphNode._load_component

    def measured_load(node, **kwargs):
        measured(node._node_name, lambda: load_component(node, **kwargs))

    # Rasa has no hook per model part: the loader is wrapped for this load only (guarded in
    # tests/rasa_plugins/test_rasa_guards.py).
    graph.GraphNode._load_component = measured_load
    nodes_from = len(parts)
    memory, clock = rss_mib(), time.monotonic()
    try:
        agent = asyncio.run(load_agent(model))
    finally:
        graph.GraphNode._load_component = load_component
    nodes = parts[nodes_from:]
    parts.append(
        {
            "part": BETWEEN_NODES,
            "mib": rss_mib() - memory - sum(part["mib"] for part in nodes),
            "seconds": time.monotonic() - clock - sum(part["seconds"] for part in nodes),
        }
    )

    async def parse() -> None:
        for text in MESSAGES:
            await agent.parse_message(text)

    measured(PARSED, lambda: asyncio.run(parse()))
    return parts


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1])))
