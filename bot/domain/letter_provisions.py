"""The provisions IRCC letters cite, what each says about the decision, and where to read it.

A letter's citation ("paragraph 40(1)(a) of the Act", "alinéa 40(1)a) de la LIPR", "R76(1)(b)") is read as
(law, section, subsection, paragraph) and looked up here: the paragraph's row, else the subsection's, else the
section's. Each row carries its primary source and the day it was checked (docs/legal-rules.md says against
what). A provision that says only what the officer or the applicant must do (IRPA s. 11(1), 16(1)) names no
cause: the letter's words do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Dict, Optional, Tuple

from bot.domain.case import RefusalCause

REVIEWED_ON = date(2026, 12, 4)
IRPA_SECTION = "https://laws-lois.justice.gc.ca/eng/acts/I-2.5/section-{}.html"
IRPR_SECTION = "https://laws-lois.justice.gc.ca/eng/regulations/SOR-2002-227/section-{}.html"


class Law(str, Enum):
    IRPA = "IRPA"  # Immigration and Refugee Protection Act / Loi sur l'immigration et la protection des réfugiés
    IRPR = "IRPR"  # its Regulations / Règlement sur l'immigration et la protection des réfugiés


class LetterKind(str, Enum):
    """What a decision letter is; every kind but REFUSAL is a DecisionKind's NLU intent of the same name."""

    REFUSAL = "refusal"
    RETURNED_INCOMPLETE = "returned_incomplete"
    OTHER_APPLICATION = "other_application"
    FAIRNESS_LETTER = "fairness_letter"


@dataclass(frozen=True)
class Provision:
    law: Law
    section: str  # "40", "87.1"
    subsection: str  # "1", or "" for the whole section
    paragraph: str  # "b", or "" for the whole subsection
    says: str  # what it provides, in a few words
    cause: Optional[RefusalCause]  # the cause a refusal citing it rests on; None when it names none
    kind: LetterKind  # what a letter citing it is
    source: str
    reviewed: date = REVIEWED_ON

    @property
    def citation(self) -> str:
        parts = "".join(f"({part})" for part in (self.subsection, self.paragraph) if part)
        return f"{self.law.value} {self.section}{parts}"


def _irpa(section: str, subsection: str, says: str, cause: Optional[RefusalCause]) -> Provision:
    return Provision(Law.IRPA, section, subsection, "", says, cause, LetterKind.REFUSAL, IRPA_SECTION.format(section))


def _irpr(
    section: str,
    subsection: str,
    says: str,
    cause: Optional[RefusalCause],
    kind: LetterKind = LetterKind.REFUSAL,
    paragraph: str = "",
) -> Provision:
    return Provision(Law.IRPR, section, subsection, paragraph, says, cause, kind, IRPR_SECTION.format(section))


C = RefusalCause
PROVISIONS: Tuple[Provision, ...] = (
    _irpa("11", "1", "the officer must be satisfied that the applicant meets the requirements", None),
    _irpa("16", "1", "the applicant must answer truthfully and produce the documents the officer requires", None),
    _irpa("36", "1", "serious criminality", C.CRIMINAL_INADMISSIBILITY),
    _irpa("36", "2", "criminality", C.CRIMINAL_INADMISSIBILITY),
    _irpa("38", "1", "health grounds: danger to public health or safety, excessive demand", C.MEDICAL_INADMISSIBILITY),
    _irpa("40", "1", "misrepresentation", C.MISREPRESENTATION),
    _irpa("40", "2", "misrepresentation: five years of inadmissibility", C.MISREPRESENTATION),
    _irpa("40", "3", "no application for permanent residence during those five years", C.MISREPRESENTATION),
    _irpa("41", "", "non-compliance with the Act", None),
    _irpr("10", "", "what an application must contain", None, LetterKind.RETURNED_INCOMPLETE),
    _irpr(
        "12",
        "",
        "an application that does not meet sections 10 and 11 is returned",
        None,
        LetterKind.RETURNED_INCOMPLETE,
    ),
    _irpr("75", "", "federal skilled worker class: one year of skilled work, language, education", C.WORK_EXPERIENCE),
    # The language results and the credential assessment are documents, as the assistant's causes go.
    _irpr("75", "2", "federal skilled worker class: language test results", C.MISSING_DOCUMENTS, paragraph="d"),
    _irpr("75", "2", "federal skilled worker class: education and its assessment", C.MISSING_DOCUMENTS, paragraph="e"),
    _irpr("76", "", "federal skilled worker class: the minimum points and the settlement funds", C.LOW_SCORE),
    # Settlement funds not shown: read as the missing-documents cause, whose remedies (the proof, in a request
    # for reconsideration or a new application) are the ones that apply; points are the score.
    _irpr("76", "1", "federal skilled worker class: the settlement funds", C.MISSING_DOCUMENTS, paragraph="b"),
    _irpr("87", "", "provincial nominee class: the nomination and the ability to become established", C.PNP_CRITERIA),
    _irpr("87.1", "", "Canadian experience class: the Canadian work experience and language", C.WORK_EXPERIENCE),
    _irpr(
        "87.2", "", "federal skilled trades class: the trade experience and the offer or certificate", C.WORK_EXPERIENCE
    ),
    # Other applications' refusals: usually (b), the officer is not satisfied the person will leave Canada.
    _irpr("179", "", "temporary resident visa", None, LetterKind.OTHER_APPLICATION),
    _irpr("200", "", "work permit", None, LetterKind.OTHER_APPLICATION),
    _irpr("216", "", "study permit", None, LetterKind.OTHER_APPLICATION),
)

_BY_KEY: Dict[Tuple[Law, str, str, str], Provision] = {
    (p.law, p.section, p.subsection, p.paragraph): p for p in PROVISIONS
}


FRENCH_NAMES = {Law.IRPA: "LIPR", Law.IRPR: "RIPR"}
_WRITTEN = re.compile(r"^(IRPA|IRPR) ([\d.]+)((?:\(\d+(?:\.\d)?\))?)(?:\(([a-z])\))?$")


def in_french(citation: str) -> str:
    """ "IRPA 40(1)(a)" as a French text cites it: "LIPR, art. 40(1)a)"."""
    written = _WRITTEN.match(citation)
    if written is None:
        return citation
    law, section, subsection, paragraph = written.groups()
    return f"{FRENCH_NAMES[Law(law)]}, art. {section}{subsection}" + (f"{paragraph})" if paragraph else "")


def provision(law: Law, section: str, subsection: str = "", paragraph: str = "") -> Optional[Provision]:
    """The row for a citation: its paragraph's, else its subsection's, else the whole section's; None when the
    table does not have it."""
    for key in ((law, section, subsection, paragraph), (law, section, subsection, ""), (law, section, "", "")):
        if key in _BY_KEY:
            return _BY_KEY[key]
    return None
