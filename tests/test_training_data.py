"""`rasa data validate`, and the responses only actions send, which Rasa's validator cannot see."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bot.texts import domain_file
from tests.system.nlu_model import ROOT

pytestmark = pytest.mark.unit

UNUSED_UTTERANCE = re.compile(r"The utterance '([^']+)' is not used in any story or rule")


def _action_sources() -> str:
    """The actions, and the connectors and demo page that add a few words of their own."""
    paths = [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot").rglob("*.py")]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


# Sent by Rasa itself: the form asks its slots, action_restart and the core fallback answer.
SENT_BY_RASA = {"utter_restart", "utter_default"}


def _form_questions() -> set:
    return {f"utter_ask_{slot}" for form in domain_file()["forms"].values() for slot in form["required_slots"]}


def _sent_by_an_action(utterance: str, sources: str) -> bool:
    """Named literally, or built from a prefix such as f"utter_remedy_{...}"."""
    if f'"{utterance}"' in sources or utterance in SENT_BY_RASA or utterance in _form_questions():
        return True
    prefixes = re.findall(r'f"(utter_[a-z_]*)\{', sources) + re.findall(r'"(utter_[a-z_]*_)"', sources)
    # A bare "utter_" would match every response: a prefix must name a family.
    return any(utterance.startswith(prefix) for prefix in prefixes if prefix != "utter_")


@pytest.mark.system
def test_rasa_data_validate_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]

    sources = _action_sources()
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    unexplained = []
    for line in warnings:
        unused = UNUSED_UTTERANCE.search(line)
        if unused and _sent_by_an_action(unused.group(1), sources):
            continue
        unexplained.append(line)
    assert unexplained == [], "\n".join(unexplained)


# Rasa's key for the response a bot event came from, not a response itself.
EVENT_METADATA_KEYS = {"utter_action"}


def test_a_bare_prefix_never_counts_as_sending_every_response():
    assert not _sent_by_an_action("utter_never_sent", 'response = f"utter_{intent}"')
    assert _sent_by_an_action("utter_faq_scg", 'response = f"utter_faq_{key}"')


def _rule_intents(rule) -> set:
    steps = rule["steps"]
    names = {step["intent"] for step in steps if "intent" in step}
    names |= {choice["intent"] for step in steps for choice in step.get("or", []) if "intent" in choice}
    return names


def test_every_rule_for_the_questions_about_terms_lists_every_one_of_them():
    import yaml

    faq = {intent for intent in domain_file()["intents"] if intent.startswith("faq_")}
    rules = yaml.safe_load((ROOT / "data" / "rules" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    faq_rules = [rule for rule in rules if _rule_intents(rule) & faq]
    assert len(faq_rules) == 3
    assert all(_rule_intents(rule) >= faq for rule in faq_rules)


def test_every_response_an_action_names_exists():
    # A name ending in "_" is a prefix (utter_widget_), checked by the test above through its uses.
    named = {name for name in re.findall(r'"(utter_[a-z_]+)"', _action_sources()) if not name.endswith("_")}
    named -= EVENT_METADATA_KEYS
    missing = [name for name in named if name not in domain_file()["responses"]]
    assert missing == []
