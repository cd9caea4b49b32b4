"""Loading the trained model once per test session, for tests that need real NLU or dialogue."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "assistant.tar.gz"


def load_agent(action_endpoint_url=None, headers=None):
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train` (make test does it first).")
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    endpoint = EndpointConfig(url=action_endpoint_url, headers=headers) if action_endpoint_url else None
    return Agent.load(str(MODEL), action_endpoint=endpoint)


def parse(agent, text: str) -> dict:
    return asyncio.run(agent.parse_message(text))
