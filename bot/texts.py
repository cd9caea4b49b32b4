"""The one reader of domain.yml's responses, for the code that runs outside Rasa's own loading of it:
the connectors' few words, the widget's words and the tests. Actions get the same responses from Rasa
with each call and read them through `response_text` too."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Dict, Mapping

import yaml

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"


@cache
def domain_file() -> Dict[str, Any]:
    """domain.yml as a dict, read once per process, on first use (a server shows edited texts after a restart)."""
    return yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))


def response_text(domain: Mapping[str, Any], response: str) -> str:
    """The first text of a response in a Rasa domain (as Rasa hands it to actions, or domain_file())."""
    return domain["responses"][response][0]["text"]


def file_response_text(response: str) -> str:
    """A response's text as domain.yml on disk has it."""
    return response_text(domain_file(), response)


def responses_with_prefix(prefix: str) -> Dict[str, str]:
    """{name without the prefix: text} for every response whose name starts with `prefix`."""
    responses = domain_file()["responses"]
    return {name[len(prefix) :]: value[0]["text"] for name, value in responses.items() if name.startswith(prefix)}
