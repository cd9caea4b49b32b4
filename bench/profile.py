"""Reading a py-spy profile (`py-spy record --format raw --function`): the hottest functions by own
time, where the samples go, and a sentence on what bounds the server, from the measures alone."""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, List, Mapping, Sequence, Tuple

Stack = Tuple[str, ...]

# Innermost frame first decides: a numpy call made by TensorFlow code counts where it runs.
SUBSYSTEMS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("TensorFlow (DIET, ResponseSelector, TED)", ("tensorflow/", "keras/", "tensorflow_text/")),
    ("spaCy", ("spacy/", "thinc/")),
    ("SQL tracker store (SQLAlchemy, psycopg2)", ("sqlalchemy/", "psycopg2/")),
    ("Redis lock store", ("redis/", "bot/rasa_plugins/lock_store")),
    ("numpy, scipy, scikit-learn", ("numpy/", "scipy/", "sklearn/")),
    ("HTTP (Sanic, aiohttp, asyncio)", ("sanic/", "aiohttp/", "asyncio/", "uvloop/", "httptools/")),
    ("Rasa's own Python", ("rasa/", "rasa_sdk/")),
)
OTHER = "other"
MACHINE = "whole machine"  # in CPU figures: every process on the machine, not only the bench's
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def read_raw(text: str) -> List[Tuple[Stack, int]]:
    """Collapsed stacks, one `frame;frame;... count` a line, outermost frame first."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((tuple(stack.split(";")), int(count)))
    return stacks


def _file(frame: str) -> str:
    match = _FRAME.match(frame)
    return match.group("file") if match else ""


def hottest(stacks: Sequence[Tuple[Stack, int]], top: int = 10) -> List[Dict[str, object]]:
    """Functions by own time: the samples in which they were the innermost frame."""
    own: Counter = Counter()
    for stack, count in stacks:
        own[stack[-1]] += count
    total = sum(own.values()) or 1
    return [{"function": frame, "samples": count, "share": count / total} for frame, count in own.most_common(top)]


def subsystem_of(stack: Stack) -> str:
    for frame in reversed(stack):
        file = _file(frame)
        for name, prefixes in SUBSYSTEMS:
            if any(prefix in file for prefix in prefixes):
                return name
    return OTHER


def subsystem_shares(stacks: Sequence[Tuple[Stack, int]]) -> Dict[str, float]:
    counts: Counter = Counter()
    for stack, count in stacks:
        counts[subsystem_of(stack)] += count
    total = sum(counts.values()) or 1
    return {name: count / total for name, count in counts.most_common()}


def what_bounds_it(cpu_percent: Mapping[str, float], cores: int, shares: Mapping[str, float]) -> str:
    """One sentence from the measures: CPU use of each process and of the whole machine (100 = one
    core), and the Rasa process's samples by subsystem."""
    processes = {name: value for name, value in cpu_percent.items() if name != MACHINE}
    rasa = max((v for k, v in processes.items() if k.startswith("rasa")), default=0.0)
    ours = sum(processes.values())
    machine = cpu_percent.get(MACHINE, ours)
    busiest = ", ".join(f"{share:.0%} {name}" for name, share in list(shares.items())[:3])
    if rasa >= 85:
        bound = (
            f"a Rasa process used {rasa:.0f}% of one core: each `rasa run` handles messages on one Python "
            "event loop, so it is CPU-bound on a single core"
        )
    elif machine >= 85 * cores:
        bound = (
            f"the {cores} cores were saturated ({machine:.0f}% of {100 * cores}%, of which the servers and "
            f"the load generator {ours:.0f}%)"
        )
    else:
        bound = (
            f"neither one core nor the machine was saturated (Rasa {rasa:.0f}%, machine {machine:.0f}% "
            f"of {100 * cores}%), so time goes to waiting"
        )
    detail = ", ".join(f"{name} {value:.0f}%" for name, value in cpu_percent.items())
    return f"What bounds it: {bound} (CPU: {detail}); where the Rasa process spends its samples: {busiest}."
