from datetime import date

import pytest

from bench.letter_forms import LetterForm
from bench.letters import LETTER_SETS, LabelledLetter, letters_bench, load_letters, rows, score_letters
from bot.domain.case import DecisionLocation, Program, RefusalCause
from bot.domain.letter_provisions import LetterKind
from bot.domain.letters import LetterReading, Office

pytestmark = pytest.mark.unit


def _letter(kind="refusal", causes=("low_score",), decided=date(2026, 11, 2), in_canada=True, program="fsw"):
    return LabelledLetter("L1", "…", kind, causes, decided, in_canada, program)


def _reading(kind=LetterKind.REFUSAL, causes=(RefusalCause.LOW_SCORE,), decided=date(2026, 11, 2), where=None):
    office = Office("Ottawa", where or DecisionLocation.IN_CANADA)
    return LetterReading(kind, causes, (), (), decided, office, Program.FSW)


def test_each_figure_counts_only_the_letters_it_is_about():
    letters = [
        _letter(),
        _letter(causes=("low_score", "work_experience")),
        _letter(kind="returned_incomplete", causes=(), in_canada=False),
        _letter(kind="other", causes=(), decided=date(2026, 1, 1), in_canada=None, program=None),
    ]
    readings = [
        _reading(),
        _reading(decided=date(2026, 11, 3)),
        _reading(kind=LetterKind.RETURNED_INCOMPLETE, causes=(), where=DecisionLocation.IN_CANADA),
        None,
    ]
    figures = score_letters(letters, readings)
    assert figures["kind_accuracy"] == 1.0
    assert (figures["refusals"], figures["causes_exact"]) == (2, 0.5)
    # The pasted text that is no letter has no decision date to read.
    assert (figures["dated"], figures["decision_date_accuracy"]) == (3, pytest.approx(2 / 3))
    assert (figures["placed"], figures["office_in_canada_accuracy"]) == (3, pytest.approx(2 / 3))
    assert figures["office_wrong"] == pytest.approx(1 / 3)
    assert figures["program_accuracy"] == 1.0


def test_a_letter_the_reader_does_not_take_counts_as_missed_not_as_an_error():
    figures = score_letters([_letter()], [None])
    assert (figures["kind_accuracy"], figures["causes_exact"], figures["decision_date_accuracy"]) == (0, 0, 0)


def test_the_blind_letters_load_with_every_field():
    letters = load_letters()
    assert len(letters) >= 60
    assert {letter.kind for letter in letters} >= {"refusal", "returned_incomplete", "other_application"}
    assert len(rows({"text": score_letters(letters, [None] * len(letters))})) == 7


# Floors a few letters under each set's figures (bench/README.md), so that a later change cannot quietly undo
# the reading. Every set is spent: each was reported once, then the reader's rules were found on its errors, so
# the floors guard the rules; the reports say what the reader is worth.
# An office placed on the wrong side of the border gives the wrong limit: none may be.
FLOORS = {
    "blind": {
        "kind_accuracy": 0.95,
        "causes_exact": 0.94,
        "decision_date_accuracy": 0.96,
        "office_in_canada_accuracy": 0.94,
        "program_accuracy": 0.95,
    },
    "blind2": {
        "kind_accuracy": 0.95,
        "causes_exact": 0.84,
        "decision_date_accuracy": 0.95,
        "office_in_canada_accuracy": 0.94,
        "program_accuracy": 0.95,
    },
    # Reported once on 6 December 2026 at 6e58683 (bench/README.md): text 0.972, 0.808, 0.985, 0.982, 0.962.
    "blind3": {
        "kind_accuracy": 0.94,
        "causes_exact": 0.76,
        "decision_date_accuracy": 0.95,
        "office_in_canada_accuracy": 0.94,
        "program_accuracy": 0.92,
    },
    # Reported once on 6 December 2026 at 9be751e (bench/README.md): text 0.969, 0.870, 0.820, 0.945, 0.978;
    # read after the dates and kinds it showed were mended and a second reading: 1.0, 0.891, 0.984, 0.964, 0.978.
    "blind4": {
        "kind_accuracy": 0.95,
        "causes_exact": 0.84,
        "decision_date_accuracy": 0.95,
        "office_in_canada_accuracy": 0.92,
        "program_accuracy": 0.93,
    },
}


@pytest.mark.parametrize("letter_set", ["blind", "blind2", "blind3", "blind4"])
@pytest.mark.parametrize("form", ["text", "pdf"])
def test_the_letter_reader_stays_above_its_floors_on_the_blind_letters(letter_set, form):
    # The PDF form goes through the files' reader (pypdf) as a person's PDF does; the scans and photos need
    # Tesseract and minutes, and are measured by make bench.
    figures = letters_bench(LETTER_SETS[letter_set], forms=(LetterForm.PDF,))[form]
    floors = FLOORS[letter_set]
    below = {name: round(figures[name], 3) for name, floor in floors.items() if figures[name] < floor}
    assert below == {}
    assert figures["office_wrong"] == 0
