"""Every `python -m bot.…` that the Makefile, deploy/ and the documents tell someone to run names a module
that exists: a module moved without its commands fails here, not on a firm's server."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
COMMAND = re.compile(r"-m (bot(?:\.\w+)+)")
DOTTED_CLASS = re.compile(r"\b(bot(?:\.\w+)+)\.([A-Z]\w+)\b")


def _texts():
    paths = [ROOT / "Makefile", ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("*.yml")]
    paths += [path for path in (ROOT / "deploy").rglob("*") if path.is_file()]
    return {path: path.read_text(encoding="utf-8") for path in paths}


def test_every_module_a_command_runs_exists():
    commands = {(path.name, module) for path, text in _texts().items() for module in COMMAND.findall(text)}
    assert {module for _, module in commands} >= {"bot.storage.operator", "bot.storage.notice_worker"}
    missing = [(name, module) for name, module in sorted(commands) if importlib.util.find_spec(module) is None]
    assert missing == []


def test_every_class_the_configuration_names_exists():
    named = {(path.name, module, cls) for path, text in _texts().items() for module, cls in DOTTED_CLASS.findall(text)}
    assert ("config.yml", "bot.rasa_plugins.cause_reader", "CauseReader") in named
    missing = [
        (name, f"{module}.{cls}")
        for name, module, cls in sorted(named)
        if importlib.util.find_spec(module) is None
        or cls not in Path(importlib.util.find_spec(module).origin).read_text()
    ]
    assert missing == []
