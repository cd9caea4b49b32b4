from datetime import date

import pytest

from bot.domain.dates import (
    DateProblem,
    ParsedDate,
    Telling,
    decision_date_in_story,
    format_french_date,
    parse_decision_date,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("le 3 novembre", date(2026, 11, 3)),
        ("3 novembre", date(2026, 11, 3)),
        ("03/11/2026", date(2026, 11, 3)),
        ("3/11/26", date(2026, 11, 3)),
        ("2026-11-03", date(2026, 11, 3)),
        ("hier", date(2026, 11, 28)),
        ("avant-hier", date(2026, 11, 27)),
        # Told from memory: the earliest day it can mean (two weeks, less half a week).
        ("il y a deux semaines", date(2026, 11, 12)),
        ("il y a 10 jours", date(2026, 11, 19)),
        ("la lettre date du 5 nov", date(2026, 11, 5)),
        ("je l'ai reçue le 3 novembre", date(2026, 11, 3)),
        # A day and month still to come this year is read as last year's.
        ("le 5 décembre", date(2025, 12, 5)),
    ],
)
def test_free_french_dates(text, expected):
    assert parse_decision_date(text, TODAY).value == expected


@pytest.mark.parametrize(
    "text, problem",
    [
        ("31/02/2026", DateProblem.NONEXISTENT),
        ("2026-02-30", DateProblem.NONEXISTENT),
        ("05/12/2026", DateProblem.IN_FUTURE),
        ("demain", DateProblem.IN_FUTURE),
        ("je ne sais pas", DateProblem.UNREADABLE),
        ("mon test de langue a expiré", DateProblem.UNREADABLE),
        ("", DateProblem.UNREADABLE),
        ("   ", DateProblem.UNREADABLE),
        (None, DateProblem.UNREADABLE),
        ("🙂🙂", DateProblem.UNREADABLE),
        ("le 3 novembre " * 400, DateProblem.UNREADABLE),
    ],
)
def test_what_is_not_a_usable_date(text, problem):
    parsed = parse_decision_date(text, TODAY)
    assert parsed.value is None
    assert parsed.problem is problem


def test_today_is_accepted():
    assert parse_decision_date("aujourd'hui", TODAY).value == TODAY


def test_french_long_format():
    assert format_french_date(date(2026, 12, 14)) == "lundi 14 décembre 2026"


def test_french_date_without_weekday():
    assert format_french_date(date(2026, 11, 29), weekday=False) == "29 novembre 2026"


@pytest.mark.parametrize(
    "texts, expected",
    [
        (["Ma demande PTQF a été refusée le 20 novembre, mon test de langue avait expiré"], date(2026, 11, 20)),
        (["j'ai reçu la lettre de refus le 3/11 pour fausse déclaration"], date(2026, 11, 3)),
        (["lettre de refus datée du 12 octobre 2026, ils parlent de mon expérience"], date(2026, 10, 12)),
        (["refus reçu hier, mon score est trop bas"], date(2026, 11, 28)),
        (["ils ont rejeté ma demande il y a deux semaines, documents manquants"], date(2026, 11, 12)),
        (["Décision du 5 nov : criminalité"], date(2026, 11, 5)),
        # The same date twice is still one date.
        (["refusé le 20 novembre", "la lettre du 20 novembre dit fausse déclaration"], date(2026, 11, 20)),
        # The test's date is not next to the decision: only the refusal's counts.
        (["mon IELTS passé le 3 mars 2024 a expiré, refus reçu le 20 novembre"], date(2026, 11, 20)),
        (["ma lettre d'employeur n'était pas signée. Lettre de refus reçue le 20 novembre"], date(2026, 11, 20)),
    ],
)
def test_the_decision_date_is_found_where_the_story_states_it_next_to_the_decision(texts, expected):
    assert decision_date_in_story(texts, TODAY).value == expected


@pytest.mark.parametrize(
    "text, earliest, telling",
    [
        # Sunday 29 November 2026.
        ("il y a deux semaines", date(2026, 11, 12), Telling.ROUGH),
        ("y'a 3 semaines", date(2026, 11, 5), Telling.ROUGH),
        ("la semaine dernière", date(2026, 11, 16), Telling.ROUGH),  # its Monday
        ("le mois dernier", date(2026, 10, 1), Telling.ROUGH),  # its first day
        ("il y a un mois", date(2026, 10, 14), Telling.ROUGH),
        ("vers le 10 novembre", date(2026, 11, 7), Telling.ROUGH),
        # A month without its day: never today's day in that month.
        ("en novembre", date(2026, 11, 1), Telling.ROUGH),
        ("fin octobre", date(2026, 10, 20), Telling.ROUGH),
        ("mi-octobre", date(2026, 10, 10), Telling.ROUGH),
        ("début nov", date(2026, 11, 1), Telling.ROUGH),
        ("en décembre", date(2025, 12, 1), Telling.ROUGH),  # not yet this year: last year's
        ("août 2026", date(2026, 8, 1), Telling.ROUGH),
        # Counted back in days: the day itself, said back to be checked.
        ("hier", date(2026, 11, 28), Telling.RELATIVE),
        ("il y a 10 jours", date(2026, 11, 19), Telling.RELATIVE),
    ],
)
def test_a_date_told_from_memory_counts_from_the_earliest_day_it_can_mean(text, earliest, telling):
    parsed = parse_decision_date(text, TODAY)
    assert (parsed.value, parsed.telling) == (earliest, telling)


@pytest.mark.parametrize("text", ["ma maison", "demain matin", "mais non"])
def test_a_word_inside_another_is_no_month(text):
    assert parse_decision_date(text, TODAY).telling is Telling.EXACT
    assert parse_decision_date(text, TODAY).value is None


@pytest.mark.parametrize("text", ["le 3 novembre", "03/11/2026", "2026-11-03", "la lettre date du 3 nov"])
def test_a_date_read_on_the_letter_is_exact(text):
    assert parse_decision_date(text, TODAY) == ParsedDate(value=date(2026, 11, 3))


def test_a_story_telling_the_date_roughly_says_so():
    told = decision_date_in_story(["refus reçu il y a deux semaines, score trop bas"], TODAY)
    assert (told.value, told.telling) == (date(2026, 11, 12), Telling.ROUGH)


@pytest.mark.parametrize(
    "texts",
    [
        ["mon test de langue a expiré"],
        # A date, but not the decision's.
        ["mon test de langue passé le 3 mars 2024 a expiré"],
        ["j'ai eu 450 points au tirage du 12 novembre"],
        # A letter, but not the decision: its date would count the deadline from the wrong day.
        ["lettre d'équité procédurale reçue le 3 novembre, ils parlent de fausse déclaration"],
        ["ma lettre d'employeur datée du 3 mars 2024 n'était pas signée"],
        ["l'invitation reçue le 2 octobre, puis plus rien"],
        # Two decision dates: which one is the letter's is asked.
        ["refus reçu le 3 novembre, puis une autre lettre de refus le 20 novembre"],
        # A year alone, or a date still to come, is not the letter's day.
        ["refusé en 2025"],
        ["la décision est attendue le 30/12/2026"],
        [""],
    ],
)
def test_no_decision_date_is_taken_from_a_story_that_does_not_state_exactly_one(texts):
    assert decision_date_in_story(texts, TODAY) is None
