from datetime import date, timedelta

import pytest

from bot.domain.case import DecisionLocation
from bot.domain.deadlines import (
    DeadlineStatus,
    DecisionDateInFuture,
    is_non_working_day,
    judicial_review_deadline,
)

pytestmark = pytest.mark.unit

IN = DecisionLocation.IN_CANADA
OUT = DecisionLocation.OUTSIDE_CANADA
UNKNOWN = DecisionLocation.UNKNOWN


def test_issue_example_monday_14_december_with_9_days_left():
    deadline = judicial_review_deadline(IN, date(2026, 11, 29), today=date(2026, 12, 5))
    assert deadline.last_day == date(2026, 12, 14)
    assert deadline.days_left == 9
    assert deadline.status is DeadlineStatus.OPEN
    assert deadline.postponed_from is None


def test_decision_day_is_excluded_from_the_count():
    # Day 1 is 2 November; day 15 is 16 November, a Monday.
    deadline = judicial_review_deadline(IN, date(2026, 11, 1), today=date(2026, 11, 1))
    assert deadline.last_day == date(2026, 11, 16)
    assert deadline.days_left == 15


def test_last_day_on_saturday_moves_to_monday():
    deadline = judicial_review_deadline(IN, date(2026, 11, 20), today=date(2026, 11, 29))
    assert deadline.postponed_from == date(2026, 12, 5)
    assert deadline.last_day == date(2026, 12, 7)
    assert deadline.days_left == 8
    assert deadline.status is DeadlineStatus.OPEN


def test_last_day_on_remembrance_day_moves_to_the_next_day():
    deadline = judicial_review_deadline(IN, date(2026, 10, 27), today=date(2026, 11, 1))
    assert deadline.postponed_from == date(2026, 11, 11)
    assert deadline.last_day == date(2026, 11, 12)


def test_christmas_boxing_day_and_weekend_chain():
    # 25 Dec (Friday, holiday), 26 (Saturday, Boxing Day), 27 (Sunday): Monday 28.
    deadline = judicial_review_deadline(IN, date(2026, 12, 10), today=date(2026, 12, 10))
    assert deadline.last_day == date(2026, 12, 28)


def test_year_end_new_year_day_then_weekend():
    deadline = judicial_review_deadline(IN, date(2026, 12, 17), today=date(2026, 12, 20))
    assert deadline.postponed_from == date(2027, 1, 1)
    assert deadline.last_day == date(2027, 1, 4)


def test_labour_day_moves_the_limit():
    deadline = judicial_review_deadline(IN, date(2026, 8, 23), today=date(2026, 8, 24))
    assert deadline.postponed_from == date(2026, 9, 7)
    assert deadline.last_day == date(2026, 9, 8)


def test_leap_day_is_a_normal_working_day():
    deadline = judicial_review_deadline(OUT, date(2027, 12, 31), today=date(2028, 1, 5))
    assert deadline.last_day == date(2028, 2, 29)
    assert deadline.limit_days == 60


def test_sixty_days_outside_canada():
    deadline = judicial_review_deadline(OUT, date(2026, 10, 1), today=date(2026, 11, 29))
    assert deadline.limit_days == 60
    assert deadline.last_day == date(2026, 11, 30)
    assert deadline.days_left == 1
    assert deadline.status is DeadlineStatus.URGENT
    assert not deadline.shorter_limit_assumed


def test_unknown_location_takes_the_shorter_limit_and_says_so():
    deadline = judicial_review_deadline(UNKNOWN, date(2026, 11, 29), today=date(2026, 12, 5))
    assert deadline.limit_days == 15
    assert deadline.shorter_limit_assumed
    assert deadline.last_day == date(2026, 12, 14)


@pytest.mark.parametrize(
    "today, status",
    [
        (date(2026, 12, 6), DeadlineStatus.OPEN),  # 8 days left
        (date(2026, 12, 7), DeadlineStatus.URGENT),  # 7 days left
        (date(2026, 12, 14), DeadlineStatus.URGENT),  # the last day itself
        (date(2026, 12, 15), DeadlineStatus.EXPIRED),
    ],
)
def test_urgency_threshold_at_seven_days(today, status):
    deadline = judicial_review_deadline(IN, date(2026, 11, 29), today=today)
    assert deadline.status is status
    assert deadline.days_left == (date(2026, 12, 14) - today).days


def test_expired_limit_keeps_its_last_day():
    deadline = judicial_review_deadline(IN, date(2026, 10, 1), today=date(2026, 11, 29))
    assert deadline.status is DeadlineStatus.EXPIRED
    assert deadline.last_day == date(2026, 10, 16)
    assert deadline.days_left == -44


def test_unknown_date_gives_the_limit_without_a_last_day():
    deadline = judicial_review_deadline(OUT, None, today=date(2026, 11, 29))
    assert deadline.status is DeadlineStatus.DATE_UNKNOWN
    assert deadline.limit_days == 60
    assert deadline.last_day is None and deadline.days_left is None


def test_decision_in_the_future_is_rejected():
    with pytest.raises(DecisionDateInFuture):
        judicial_review_deadline(IN, date(2026, 12, 1), today=date(2026, 11, 29))


@pytest.mark.parametrize(
    "day, closed",
    [
        (date(2026, 7, 1), True),  # Fête du Canada
        (date(2026, 4, 3), True),  # Vendredi saint
        (date(2026, 9, 30), True),  # Journée nationale de la vérité et de la réconciliation
        (date(2026, 11, 28), True),  # Saturday
        (date(2026, 11, 27), False),  # an ordinary Friday
        (date(2026, 6, 24), False),  # Quebec's holiday, not a federal one
    ],
)
def test_non_working_days(day, closed):
    assert is_non_working_day(day) is closed


@pytest.mark.parametrize(
    "decision, in_recess",
    [
        (date(2026, 12, 10), True),  # last day Monday 28 December
        (date(2026, 12, 17), True),  # last day Monday 4 January
        (date(2026, 11, 29), False),  # last day Monday 14 December
        (date(2026, 12, 24), False),  # last day Friday 8 January: just after
    ],
)
def test_year_end_recess_is_flagged_but_never_added(decision, in_recess):
    deadline = judicial_review_deadline(IN, decision, today=decision)
    assert deadline.in_year_end_recess is in_recess
    assert deadline.last_day - decision <= timedelta(days=15 + 3)
