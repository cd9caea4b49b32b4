"""Which questions the remedy engine still needs answered, in the order to ask them."""
from __future__ import annotations

from enum import Enum
from typing import List, Optional, Tuple

from bot.case import Authority, FairnessLetter, Program, RefusalCause


class Question(str, Enum):
    """Each value is the slot that holds the answer."""

    PROGRAM = "program"
    AUTHORITY = "authority"
    FAIRNESS_LETTER = "fairness_letter"
    DECISION_LOCATION = "decision_location"
    DECISION_DATE = "decision_date"


def questions_to_ask(
    causes: Tuple[RefusalCause, ...],
    program: Optional[Program],
    authority: Optional[Authority],
    fairness_letter: Optional[FairnessLetter],
) -> List[Question]:
    """All questions still relevant given what is known; answered ones are filtered by the caller."""
    questions: List[Question] = []
    if authority is Authority.MIFI:
        return questions
    questions.append(Question.PROGRAM)
    # A federal program name already says IRCC decided; ask only when the program is unknown.
    if program in (None, Program.UNKNOWN):
        questions.append(Question.AUTHORITY)
    if RefusalCause.MISREPRESENTATION in causes:
        questions.append(Question.FAIRNESS_LETTER)
        if fairness_letter is FairnessLetter.OPEN:
            return questions
    questions += [Question.DECISION_LOCATION, Question.DECISION_DATE]
    return questions
