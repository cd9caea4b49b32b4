"""`rasa data validate`, and the responses only actions send, which Rasa's validator cannot see."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import unicodedata

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


# An annotation in Rasa's training format: [words]{"entity": ...} or [words](entity).
ANNOTATION = re.compile(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))")
# The entities the cause questions read from a first message.
READ_ENTITIES = {"document", "program", "province"}
# Forms that name something else as often as the entity: "bc" is also "because", "ede" Haitian Creole for
# "help", "WES" the body named beside the ECA it made; a criminal record, Canadian experience and a
# nomination are not the certificate, the class or the program.
AMBIGUOUS_FORMS = {
    "bc",
    "ede",
    "wes",
    "casier judiciaire",
    "expérience canadienne",
    "experience canadienne",
    "nomination provinciale",
}


def _nlu_items(path) -> list:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []


def _entity_forms() -> frozenset:
    """Every synonym of a document, program or province value, and the province lookup table."""
    annotated_values = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for item in _nlu_items(path):
            for entity in re.findall(r'"entity": "(\w+)", "value": "(\w+)"', item.get("examples", "")):
                if entity[0] in READ_ENTITIES:
                    annotated_values.add(entity[1])
    forms = set()
    for item in _nlu_items(ROOT / "data" / "nlu" / "synonyms.yml"):
        if item.get("synonym") in annotated_values or item.get("lookup") == "province":
            forms |= {line[2:].strip().lower() for line in item["examples"].splitlines() if line.startswith("- ")}
    return frozenset(forms - AMBIGUOUS_FORMS)


@functools.lru_cache(maxsize=4)
def _mention_pattern(forms: frozenset) -> re.Pattern:
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(r"(?<!\w)(" + alternatives + r")(?!\w)", flags=re.IGNORECASE)


def _unannotated_mentions(example: str, forms: frozenset) -> list:
    masked = ANNOTATION.sub(lambda match: "\0" * len(match.group(0)), example)
    return _mention_pattern(forms).findall(masked)


def test_a_document_program_or_province_named_in_an_example_is_annotated():
    # An example that names "IELTS" without annotating it teaches the entity extractor that IELTS is no
    # entity: unannotated examples once took the test set's entity F1 from 0.855 to 0.807.
    forms = _entity_forms()
    missed = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in _nlu_items(path):
            if "intent" not in item:
                continue
            for example in item["examples"].splitlines():
                mentions = _unannotated_mentions(example, forms)
                if mentions:
                    missed.append(f"{path.name}: {mentions}: {example.strip()}")
    assert missed == [], "\n".join(missed)


def test_the_annotation_check_sees_an_unannotated_name_and_skips_an_annotated_one():
    forms = frozenset({"ielts", "ontario"})
    assert _unannotated_mentions("- refus, mon IELTS avait expiré", forms) == ["IELTS"]
    assert _unannotated_mentions('- refus, mon [IELTS]{"entity": "document", "value": "language_test"}', forms) == []
    assert _unannotated_mentions("- j'ai un ielts2 et je vis à Toronto", forms) == []


# Short dialogue turns ("à la prochaine", "pas vraiment non") are what anyone writes: two writers who never met
# produce the same ones. From this many words on (runs of letters: "n'est" is two), the same turn in training and
# test data is a leak; a cause, a story or a situation is one at any length.
LEAK_WORDS = 6


def _plain(text: str) -> str:
    """Annotations as their words, lower case, no accents, words only: the same message however typed."""
    text = ANNOTATION.sub(r"\1", text)
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join(re.findall(r"\w+", "".join(c for c in text if not unicodedata.combining(c))))


def _test_messages() -> tuple:
    """The test sets' messages, as written and noisy: (leaked at any length, dialogue turns and the test set's
    lines, leaked from LEAK_WORDS words)."""
    import yaml

    any_length, turns = set(), set()
    for path in (ROOT / "tests" / "nlu").glob("*/*.yml"):
        found = turns if path.stem == "dialogue" else any_length
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found |= {_plain(entry[key]) for key in ("text", "noisy") if isinstance(entry, dict) and entry.get(key)}
    for item in _nlu_items(ROOT / "tests" / "nlu" / "test_nlu.yml"):
        turns |= {_plain(line.strip()[2:]) for line in item.get("examples", "").splitlines() if line.strip()}
    return any_length, turns


def test_no_message_of_a_test_set_is_in_the_training_data():
    any_length, turns = _test_messages()
    # Six sets of four files, and the test set: a set moved or renamed must not leave nothing to compare.
    assert len(any_length) > 1500 and len(turns) > 500
    leaked = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for item in _nlu_items(path):
            for line in item.get("examples", "").splitlines() if "intent" in item else []:
                plain = _plain(line.strip()[2:])
                if plain in any_length or (len(plain.split()) >= LEAK_WORDS and plain in turns):
                    leaked.append(f"{path.name}: {line.strip()}")
    assert leaked == [], "\n".join(leaked)


def test_the_leak_check_sees_a_message_however_typed():
    assert _plain('- Mon [IELTS]{"entity": "document", "value": "language_test"} a EXPIRÉ !') == "mon ielts a expire"
