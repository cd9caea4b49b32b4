"""The few words a connector adds of its own (a list's button label), kept with every French text in domain.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

DOMAIN = Path(__file__).resolve().parent.parent.parent / "domain.yml"


@lru_cache(maxsize=None)
def channel_text(response: str) -> str:
    domain = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    return domain["responses"][response][0]["text"]
