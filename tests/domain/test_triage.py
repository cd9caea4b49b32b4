import pytest

from bot.domain.case import Authority, FairnessLetter, Program, RefusalCause
from bot.domain.triage import Question, authority_implied_by, questions_to_ask, tells_where_the_person_is

pytestmark = pytest.mark.unit

Q = Question
C = RefusalCause


def test_nothing_known_asks_program_then_authority_then_the_deadline_facts():
    assert questions_to_ask((C.LOW_SCORE,), None, None, None) == [
        Q.PROGRAM,
        Q.AUTHORITY,
        Q.DECISION_LOCATION,
        Q.DECISION_DATE,
    ]


def test_a_federal_program_makes_the_authority_question_useless():
    assert Q.AUTHORITY not in questions_to_ask((C.LOW_SCORE,), Program.CEC, None, None)


def test_an_unknown_program_asks_who_refused():
    assert Q.AUTHORITY in questions_to_ask((C.LOW_SCORE,), Program.UNKNOWN, None, None)


def test_quebec_decision_needs_no_federal_court_facts():
    assert questions_to_ask((C.LOW_SCORE,), None, Authority.MIFI, None) == []


@pytest.mark.parametrize(
    "cause, asked",
    [
        (C.MISREPRESENTATION, True),
        (C.MEDICAL_INADMISSIBILITY, True),
        (C.WORK_EXPERIENCE, True),
        (C.MISSING_DOCUMENTS, False),
        (C.LOW_SCORE, False),
    ],
)
def test_an_open_fairness_letter_is_asked_about_for_every_cause_ircc_writes_one_for(cause, asked):
    assert (Q.FAIRNESS_LETTER in questions_to_ask((cause,), Program.FSW, None, None)) is asked


def test_an_open_fairness_letter_means_no_decision_yet_so_no_deadline_questions():
    questions = questions_to_ask((C.MISREPRESENTATION,), Program.FSW, None, FairnessLetter.OPEN)
    assert questions == [Q.PROGRAM, Q.FAIRNESS_LETTER]


def test_program_and_authority_are_asked_again_together_and_a_federal_program_implies_ircc():
    from bot.domain.case import Authority, Program
    from bot.domain.triage import Question, authority_implied_by, questions_to_ask_again

    assert questions_to_ask_again(Question.PROGRAM) == (Question.PROGRAM, Question.AUTHORITY)
    assert questions_to_ask_again(Question.DECISION_DATE) == (Question.DECISION_DATE,)
    assert authority_implied_by(Program.CEC) is Authority.IRCC
    assert authority_implied_by(Program.UNKNOWN) is None and authority_implied_by(None) is None


@pytest.mark.parametrize("program", [Program.PNP, Program.QUEBEC, Program.UNKNOWN])
def test_a_nomination_or_a_quebec_selection_asks_what_was_refused_and_by_whom(program):
    assert authority_implied_by(program) is None
    assert Question.AUTHORITY in questions_to_ask((RefusalCause.PNP_CRITERIA,), program, None, None)


@pytest.mark.parametrize("authority", [Authority.PROVINCE, Authority.MIFI])
def test_a_province_s_or_quebec_s_own_decision_needs_no_federal_court_facts(authority):
    assert questions_to_ask((RefusalCause.PNP_CRITERIA,), Program.PNP, authority, None) == []


def test_ircc_refusing_residence_after_a_nomination_asks_the_federal_court_facts():
    questions = questions_to_ask((RefusalCause.PNP_CRITERIA,), Program.PNP, Authority.IRCC, None)
    assert questions[-2:] == [Question.DECISION_LOCATION, Question.DECISION_DATE]


@pytest.mark.parametrize(
    "text, persons",
    [
        ("je suis à Abidjan", True),
        ("j'habite à Toronto", True),
        ("a l'etranger, je vis au Maroc", True),
        ("chui au Canada", True),
        ("le bureau de Dakar", False),
        ("je suis sûr que c'est le bureau d'Ottawa", False),
        ("la lettre vient de l'ambassade à Paris", False),
        ("à l'étranger", False),
        ("je suis pas sûr, au Canada je crois", False),
        ("", False),
        (None, False),
    ],
)
def test_an_answer_about_where_the_person_lives_is_told_apart_from_the_office(text, persons):
    assert tells_where_the_person_is(text) is persons


@pytest.mark.parametrize(
    "documents, asked",
    [
        (("proof_of_funds",), True),
        (("proof_of_funds", "police_certificate"), True),
        (("police_certificate",), False),
        ((), False),
    ],
)
def test_a_doubt_about_the_settlement_funds_asks_about_an_open_fairness_letter(documents, asked):
    questions = questions_to_ask((C.MISSING_DOCUMENTS,), Program.FSW, None, None, documents)
    assert (Q.FAIRNESS_LETTER in questions) is asked


def test_funds_named_for_another_cause_ask_nothing_more():
    assert Q.FAIRNESS_LETTER not in questions_to_ask((C.LOW_SCORE,), Program.FSW, None, None, ("proof_of_funds",))
