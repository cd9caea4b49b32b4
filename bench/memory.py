"""Where a served model's memory goes. A child process reads its resident memory (VmRSS) after the
imports, after each graph node of the model is loaded, and after its first messages are parsed;
each part is what it added. This explains the Rasa server's peak RSS, which `serving` measures."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from bench.settings import ROOT

MESSAGES = ("bonjour", "mon test de langue a expiré", "oui")
IMPORTS = "Python, Rasa and TensorFlow imports"
PARSED = "first messages parsed"


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def memory_by_part(model: Path) -> List[Dict[str, float]]:
    """[{"part": ..., "mib": ...}] in loading order, measured in a fresh Python process."""
    done = subprocess.run([sys.executable, "-m", "bench.memory", str(model)], cwd=ROOT, capture_output=True,
                          text=True, check=True,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false"))
    return json.loads(done.stdout.strip().splitlines()[-1])


def grouped(parts: List[Dict[str, float]], at_least_mib: float = 20) -> List[Dict[str, float]]:
    """Parts under `at_least_mib` summed into one row, so the table shows what matters."""
    kept = [part for part in parts if part["mib"] >= at_least_mib]
    rest = sum(part["mib"] for part in parts if part["mib"] < at_least_mib)
    small = [{"part": f"everything else (parts under {at_least_mib:.0f} MiB each)", "mib": rest}] if rest else []
    return kept + small


def _measure(model: str) -> List[Dict[str, float]]:
    started = rss_mib()
    import rasa.engine.graph as graph
    import tensorflow  # noqa: F401  (imported by the model's first node anyway; counted with the imports)
    from rasa.core.agent import load_agent

    parts = [{"part": IMPORTS, "mib": rss_mib() - started}]
    load_component = graph.GraphNode._load_component

    def measured_load(node, **kwargs):
        before = rss_mib()
        load_component(node, **kwargs)
        parts.append({"part": node._node_name, "mib": rss_mib() - before})

    graph.GraphNode._load_component = measured_load
    agent = asyncio.run(load_agent(model))
    graph.GraphNode._load_component = load_component

    async def parse() -> None:
        for text in MESSAGES:
            await agent.parse_message(text)

    before = rss_mib()
    asyncio.run(parse())
    parts.append({"part": PARSED, "mib": rss_mib() - before})
    return parts


if __name__ == "__main__":
    print(json.dumps(_measure(sys.argv[1])))
