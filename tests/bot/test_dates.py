from datetime import date

import pytest

from bot.dates import DateProblem, format_french_date, parse_decision_date

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
        ("il y a deux semaines", date(2026, 11, 15)),
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
