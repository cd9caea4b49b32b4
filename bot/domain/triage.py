"""Which questions the remedy engine still needs answered, in the order to ask them."""

from __future__ import annotations

import re
from enum import Enum
from typing import List, Optional, Tuple

from bot.domain.case import Authority, FairnessLetter, Program, RefusalCause


class Question(str, Enum):
    """Each value is the slot that holds the answer."""

    PROGRAM = "program"
    AUTHORITY = "authority"
    FAIRNESS_LETTER = "fairness_letter"
    DECISION_LOCATION = "decision_location"
    DECISION_DATE = "decision_date"


# Answers that only make sense given another one are asked again with it.
_ASKED_AGAIN_WITH = {
    Question.PROGRAM: (Question.AUTHORITY,),
    Question.AUTHORITY: (Question.PROGRAM,),
}


def questions_to_ask_again(changed: Question) -> Tuple[Question, ...]:
    """The question a person wants to answer again, and those whose answer depends on it."""
    return (changed,) + _ASKED_AGAIN_WITH.get(changed, ())


# The causes for which IRCC writes a procedural-fairness letter before refusing: a doubt about what
# was declared, about health costs or about the work experience claimed. One still open means no
# decision yet, and answering it comes first.
FAIRNESS_LETTER_CAUSES = frozenset(
    {RefusalCause.MISREPRESENTATION, RefusalCause.MEDICAL_INADMISSIBILITY, RefusalCause.WORK_EXPERIENCE}
)
# A document whose doubt IRCC also puts to the person first: settlement funds (IRPR s. 76(1)(b)(i)) whose amount
# or source is in doubt (docs/legal-rules.md). A missing document alone is not (IRCC refuses, or returns the application).
FAIRNESS_LETTER_DOCUMENTS = frozenset({"proof_of_funds"})


def fairness_letter_possible(causes: Tuple[RefusalCause, ...], documents: Tuple[str, ...] = ()) -> bool:
    """Whether IRCC may have written a procedural-fairness letter before this refusal."""
    if FAIRNESS_LETTER_CAUSES.intersection(causes):
        return True
    return RefusalCause.MISSING_DOCUMENTS in causes and bool(FAIRNESS_LETTER_DOCUMENTS.intersection(documents))


def authority_implied_by(program: Optional[Program]) -> Optional[Authority]:
    """Express Entry's federal programs say IRCC decided. A provincial nomination or a Quebec selection
    says nothing: the province or Quebec may have refused its own step, or IRCC the residence after it."""
    if program in (Program.FSW, Program.FST, Program.CEC):
        return Authority.IRCC
    return None


def questions_to_ask(
    causes: Tuple[RefusalCause, ...],
    program: Optional[Program],
    authority: Optional[Authority],
    fairness_letter: Optional[FairnessLetter],
    documents: Tuple[str, ...] = (),
) -> List[Question]:
    """All questions still relevant given what is known; answered ones are filtered by the caller.
    `documents` are the documents the person named (the `document` entity's values)."""
    questions: List[Question] = []
    if authority in (Authority.MIFI, Authority.PROVINCE):
        # Their own review and courts, not the Federal Court: no federal-court facts to ask.
        return questions
    questions.append(Question.PROGRAM)
    if authority_implied_by(program) is None:
        questions.append(Question.AUTHORITY)
    if fairness_letter_possible(causes, documents):
        questions.append(Question.FAIRNESS_LETTER)
        if fairness_letter is FairnessLetter.OPEN:
            return questions
    questions += [Question.DECISION_LOCATION, Question.DECISION_DATE]
    return questions


# "Je suis à Abidjan", "j'habite à Toronto": where the person lives, not where the deciding office was,
# and only the office sets the limit. Words about the office or the letter make it an answer about it.
PERSON_WHEREABOUTS = re.compile(
    r"\b(?:je suis|j'?suis|chui|j'habite|j'?vis|je vis|je r[ée]side|chez moi|mon pays|je postule|je fais (?:la|ma) demande)\b",
    re.IGNORECASE,
)
# "Je suis pas sûr, au Canada je crois": unsure, not telling where they live.
UNSURE = re.compile(r"\b(?:s[ûu]re?s?|certaine?s?)\b", re.IGNORECASE)
ABOUT_THE_OFFICE = re.compile(
    r"\b(?:bureau|ambassade|consulat|lettre|trait[ée]e?|d[ée]cid[ée]e?|d[ée]cision|centre|agent|ircc)\b", re.IGNORECASE
)


def tells_where_the_person_is(text: Optional[str]) -> bool:
    """True when an answer to "where was the office" tells where the person is instead."""
    text = text or ""
    return bool(PERSON_WHEREABOUTS.search(text)) and not ABOUT_THE_OFFICE.search(text) and not UNSURE.search(text)
