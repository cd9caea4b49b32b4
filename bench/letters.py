"""The letter reader (bot/domain/letters.py) scored on blind letters (tests/letters/blind*), as text and as the
files people send (a PDF with text, a scanned PDF, a photo of the first page), read by the files' reader.

The letters were written by a helper who never saw the reader; the reader is never tuned on them. A text the
reader does not take for a decision letter counts as kind "other" (the set's label for pasted texts that are
not one: a forum post, an invitation, an acknowledgement of receipt).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bench.letter_forms import LetterForm, rendered
from bench.settings import ROOT
from bot.domain.letters import LetterReading, read_letter
from bot.rasa_plugins.letter_files import read_letter_file

# Each set is reported once per final reader and spent after that; the newest is the bench's.
LETTER_SETS = {name: ROOT / "tests" / "letters" / name / "letters" for name in ("blind", "blind2", "blind3", "blind4")}
BLIND_LETTERS = LETTER_SETS["blind"]
LATEST_LETTERS = LETTER_SETS["blind4"]
NOT_A_LETTER = "other"


@dataclass(frozen=True)
class LabelledLetter:
    id: str
    text: str
    kind: str
    causes: Tuple[str, ...]
    decision_date: Optional[date]
    office_in_canada: Optional[bool]
    program: Optional[str]


def load_letters(folder: Path = BLIND_LETTERS) -> List[LabelledLetter]:
    letters = []
    for path in sorted(folder.glob("*.yml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        decided = entry.get("decision_date")
        letters.append(
            LabelledLetter(
                id=str(entry["id"]),
                text=entry["text"],
                kind=entry["kind"],
                causes=tuple(entry.get("causes") or ()),
                decision_date=date.fromisoformat(str(decided)) if decided else None,
                office_in_canada=entry.get("office_in_canada"),
                program=entry.get("program"),
            )
        )
    return letters


def _share(hits: int, total: int) -> Optional[float]:
    return hits / total if total else None


def score_letters(letters: Sequence[LabelledLetter], readings: Sequence[Optional[LetterReading]]) -> Dict[str, Any]:
    pairs = list(zip(letters, readings, strict=True))
    kind = [(letter.kind, reading.kind.value if reading else NOT_A_LETTER) for letter, reading in pairs]
    refusals = [(letter, reading) for letter, reading in pairs if letter.kind == "refusal"]
    causes = [bool(reading) and set(reading.causes) == {*letter.causes} for letter, reading in refusals]
    # The date and the office count on the decision letters the set dates or places.
    dated = [(letter, reading) for letter, reading in pairs if letter.kind != NOT_A_LETTER and letter.decision_date]
    placed = [(letter, reading) for letter, reading in pairs if letter.office_in_canada is not None]
    with_program = [(letter, reading) for letter, reading in refusals if letter.program]
    return {
        "letters": len(pairs),
        "kind_accuracy": _share(sum(expected == read for expected, read in kind), len(kind)),
        "refusals": len(refusals),
        "causes_exact": _share(sum(causes), len(causes)),
        "dated": len(dated),
        "decision_date_accuracy": _share(
            sum(bool(reading) and reading.decision_date == letter.decision_date for letter, reading in dated),
            len(dated),
        ),
        "placed": len(placed),
        "office_in_canada_accuracy": _share(
            sum(
                bool(reading and reading.office)
                and (reading.office.location.value == "in_canada") == letter.office_in_canada
                for letter, reading in placed
            ),
            len(placed),
        ),
        # A wrong place gives the wrong limit (60 days for 15); an office not read is asked, which is safe.
        "office_wrong": _share(
            sum(
                bool(reading and reading.office)
                and (reading.office.location.value == "in_canada") != letter.office_in_canada
                for letter, reading in placed
            ),
            len(placed),
        ),
        "program_accuracy": _share(
            sum(
                bool(reading and reading.program) and reading.program.value == letter.program
                for letter, reading in with_program
            ),
            len(with_program),
        ),
    }


def _text_of(letter: LabelledLetter, form: LetterForm, seed: int) -> Tuple[str, float]:
    """The text the product gets from the letter in this form, and the seconds the file's reader took."""
    data = rendered(letter.text, form, seed)
    started = time.perf_counter()
    found = read_letter_file(data)
    return found.text, time.perf_counter() - started


def letters_bench(folder: Path = BLIND_LETTERS, forms: Sequence[LetterForm] = tuple(LetterForm)) -> Dict[str, Any]:
    """The reader's figures on the set's text, and on each file form rendered from it (bench/letter_forms.py):
    read through the files' reader as a person's file is. Nothing of a letter's text leaves this function."""
    letters = load_letters(folder)
    figures: Dict[str, Any] = {
        "set": folder.parent.name,
        "text": score_letters(letters, [read_letter(x.text) for x in letters]),
    }
    seconds: Dict[str, Optional[float]] = {}
    for form in forms:
        read = [_text_of(letter, form, seed) for seed, letter in enumerate(letters)]
        figures[form.value] = score_letters(letters, [read_letter(text) if text else None for text, _ in read])
        seconds[form.value] = statistics.median(took for _, took in read) if read else None
    figures["seconds"] = seconds
    return figures


FIGURES = (
    ("kind (refusal, return, other application, fairness letter, not a letter)", "kind_accuracy"),
    ("causes, exact set ({refusals} refusals)", "causes_exact"),
    ("decision date ({dated} dated letters)", "decision_date_accuracy"),
    ("office in or outside Canada ({placed} letters naming one)", "office_in_canada_accuracy"),
    ("office placed wrong (the rest were asked)", "office_wrong"),
    ("program (refusals naming one)", "program_accuracy"),
)


def forms_in(figures: Dict[str, Any]) -> List[str]:
    """The forms measured, text first."""
    return ["text"] + [form.value for form in LetterForm if form.value in figures]


def rows(figures: Dict[str, Any]) -> List[List[Any]]:
    """One row per figure, one column per form measured; then the file reader's median seconds per letter."""
    text = figures["text"]
    forms = forms_in(figures)
    table = [[label.format(**text)] + [figures[form][key] for form in forms] for label, key in FIGURES]
    seconds = figures.get("seconds") or {}
    table.append(
        ["median seconds to read one file (one page photographed)", None] + [seconds.get(f) for f in forms[1:]]
    )
    return table
