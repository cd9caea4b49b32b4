"""The direction of imports between the layers (docs/architecture.md), read from the source.

Every import counts, at the top of a module or inside a function: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Dict, Set

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ("rasa", "rasa_sdk", "sqlalchemy", "alembic", "sanic", "redis", "aiohttp", "requests")

# What each layer may not import, beyond the frameworks listed for it.
FORBIDDEN: Dict[str, tuple] = {
    "bot.domain": FRAMEWORKS + ("bot.storage", "bot.rasa_plugins", "bot.web", "bot.settings", "bot.texts", "actions"),
    "bot.storage": ("rasa", "rasa_sdk", "sanic", "redis", "bot.rasa_plugins", "bot.web", "actions"),
    "bot.rasa_plugins": ("actions", "bot.web"),
    "bot.web": FRAMEWORKS + ("bot.domain", "bot.storage", "bot.rasa_plugins", "actions"),
    "actions": ("rasa", "bot.rasa_plugins", "bot.web"),
    "bot.settings": FRAMEWORKS + ("bot.", "actions"),
    "bot.texts": FRAMEWORKS + ("bot.", "actions"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            # Relative imports would slip past the rules: the project writes every import in full.
            raise AssertionError(f"{path}: relative import (from {'.' * node.level}{node.module or ''} ...)")
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # "from bot.domain import clock" imports the module bot.domain.clock.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _code() -> Dict[str, Set[str]]:
    files = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("actions").rglob("*.py")]
    return {_module_name(path): _imports(path) for path in files}


def _matches(name: str, prefix: str) -> bool:
    if prefix.endswith("."):
        return name.startswith(prefix)
    return name == prefix or name.startswith(prefix + ".")


def _layer(module: str):
    return next((layer for layer in FORBIDDEN if _matches(module, layer)), None)


def test_every_layer_imports_only_what_it_may():
    wrong = []
    for module, imported in sorted(_code().items()):
        layer = _layer(module)
        if layer is None:
            continue
        wrong += [
            f"{module} imports {name}" for name in sorted(imported) if any(_matches(name, f) for f in FORBIDDEN[layer])
        ]
    assert wrong == []


def test_the_rule_sees_a_forbidden_import(tmp_path):
    module = tmp_path / "rule.py"
    module.write_text("def later():\n    from sqlalchemy import select\n    from bot.domain import clock\n")
    assert {"sqlalchemy", "bot.domain", "bot.domain.clock"} <= _imports(module)
    assert _layer("bot.domain.case") == "bot.domain" and _layer("actions.handoff") == "actions"
    assert any(_matches("sqlalchemy", f) for f in FORBIDDEN["bot.domain"])
    assert not any(_matches("rasa_sdk.events", f) for f in FORBIDDEN["actions"])


def _cycle(graph: Dict[str, Set[str]]):
    """One import cycle of the graph, or None."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return error.args[1]
    return None


def test_no_module_of_the_product_imports_itself_back_through_another():
    code = _code()
    graph = {
        module: {name for name in imported if name in code and name != module} for module, imported in code.items()
    }
    assert _cycle(graph) is None


def test_the_cycle_rule_sees_a_cycle_and_rasa_in_actions(tmp_path):
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert any(_matches("rasa", f) for f in FORBIDDEN["actions"])
    relative = tmp_path / "relative.py"
    relative.write_text("from . import clock\n")
    with pytest.raises(AssertionError, match="relative import"):
        _imports(relative)
