"""The letter reader (bot/domain/letters.py) scored on the blind letters (tests/letters/blind), as text.

The letters were written by a helper who never saw the reader; the reader is never tuned on them. A text the
reader does not take for a decision letter counts as kind "other" (the set's label for pasted texts that are
not one: a forum post, an invitation, an acknowledgement of receipt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

from bench.settings import ROOT
from bot.domain.letters import LetterReading, read_letter

BLIND_LETTERS = ROOT / "tests" / "letters" / "blind" / "letters"
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


def letters_bench(folder: Path = BLIND_LETTERS) -> Dict[str, Any]:
    """The reader's figures on the set's text form. Nothing of a letter's text leaves this function."""
    letters = load_letters(folder)
    readings = [read_letter(letter.text) for letter in letters]
    return {"text": score_letters(letters, readings)}


def rows(figures: Dict[str, Any]) -> List[Tuple[str, Any]]:
    text = figures["text"]
    return [
        ("kind (refusal, return, other application, fairness letter, not a letter)", text["kind_accuracy"]),
        (f"causes, exact set ({text['refusals']} refusals)", text["causes_exact"]),
        (f"decision date ({text['dated']} dated letters)", text["decision_date_accuracy"]),
        (f"office in or outside Canada ({text['placed']} letters naming one)", text["office_in_canada_accuracy"]),
        ("office placed wrong (the rest were asked)", text["office_wrong"]),
        ("program (refusals naming one)", text["program_accuracy"]),
    ]
