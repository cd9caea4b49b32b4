from datetime import date, timedelta

import pytest

from bot.domain.case import DecisionLocation
from bot.domain.deadlines import (
    DeadlineStatus,
    DecisionDateInFuture,
    SaturdayRule,
    is_non_working_day,
    is_statutory_holiday,
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


def test_a_saturday_last_day_is_shown_as_the_friday_before_with_the_monday_as_a_possibility_only():
    # Day 15 is Saturday 5 December: not a holiday in the Interpretation Act s. 35.
    deadline = judicial_review_deadline(IN, date(2026, 11, 20), today=date(2026, 11, 29))
    assert deadline.last_day == date(2026, 12, 4)
    assert deadline.saturday_rule == SaturdayRule(saturday=date(2026, 12, 5), rules_day=date(2026, 12, 7))
    assert deadline.postponed_from is None
    assert deadline.days_left == 5
    assert deadline.status is DeadlineStatus.URGENT


def test_a_sunday_last_day_moves_to_monday():
    deadline = judicial_review_deadline(IN, date(2026, 11, 21), today=date(2026, 11, 29))
    assert (deadline.postponed_from, deadline.last_day) == (date(2026, 12, 6), date(2026, 12, 7))
    assert deadline.saturday_rule is None


def test_last_day_on_remembrance_day_moves_to_the_next_day():
    deadline = judicial_review_deadline(IN, date(2026, 10, 27), today=date(2026, 11, 1))
    assert deadline.postponed_from == date(2026, 11, 11)
    assert deadline.last_day == date(2026, 11, 12)


def test_26_december_is_not_a_holiday_for_the_statute():
    # The issue's case: a decision of 11 December 2025 ends on Friday 26 December, not Monday 29.
    deadline = judicial_review_deadline(IN, date(2025, 12, 11), today=date(2025, 12, 12))
    assert deadline.last_day == date(2025, 12, 26)
    assert deadline.postponed_from is None and deadline.saturday_rule is None


def test_christmas_on_a_friday_then_a_saturday_gives_the_thursday():
    # Day 15 is Friday 25 December 2026 (a holiday): s. 26 gives Saturday 26, not a holiday; so
    # the day shown is the working day before Saturday that is not a holiday, Thursday 24.
    deadline = judicial_review_deadline(IN, date(2026, 12, 10), today=date(2026, 12, 10))
    assert deadline.last_day == date(2026, 12, 24)
    assert deadline.saturday_rule == SaturdayRule(date(2026, 12, 26), date(2026, 12, 28))


def test_new_year_day_on_a_friday_gives_the_thursday_before():
    deadline = judicial_review_deadline(IN, date(2026, 12, 17), today=date(2026, 12, 20))
    assert deadline.last_day == date(2026, 12, 31)
    assert deadline.saturday_rule == SaturdayRule(date(2027, 1, 2), date(2027, 1, 4))


def test_easter_monday_moves_the_limit():
    deadline = judicial_review_deadline(IN, date(2026, 3, 22), today=date(2026, 3, 23))
    assert (deadline.postponed_from, deadline.last_day) == (date(2026, 4, 6), date(2026, 4, 7))


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
    "day, holiday",
    [
        (date(2026, 1, 1), True),  # jour de l'An
        (date(2026, 4, 3), True),  # Vendredi saint
        (date(2026, 4, 6), True),  # lundi de Pâques
        (date(2026, 5, 18), True),  # fête de Victoria
        (date(2026, 7, 1), True),  # fête du Canada
        (date(2026, 9, 7), True),  # fête du Travail
        (date(2026, 9, 30), True),  # Journée nationale de la vérité et de la réconciliation
        (date(2020, 9, 30), False),  # before it was added to s. 35
        (date(2026, 11, 11), True),  # jour du Souvenir
        (date(2026, 12, 25), True),  # Noël
        (date(2026, 11, 29), True),  # a Sunday
        (date(2026, 12, 26), False),  # Boxing Day: not in s. 35
        (date(2026, 11, 28), False),  # a Saturday: not in s. 35
        (date(2026, 10, 12), False),  # Thanksgiving: by proclamation, left out (the earlier day)
        (date(2026, 6, 24), False),  # Quebec's holiday, not a federal one
        (date(2026, 11, 27), False),  # an ordinary Friday
    ],
)
def test_statutory_holidays_are_the_interpretation_act_s35_federal_list(day, holiday):
    assert is_statutory_holiday(day) is holiday


@pytest.mark.parametrize(
    "day, closed",
    [
        (date(2026, 12, 26), True),  # the firm is closed on Boxing Day
        (date(2026, 11, 28), True),  # and on Saturdays
        (date(2026, 11, 27), False),
    ],
)
def test_the_firm_s_calendar_for_its_call_back_promise(day, closed):
    assert is_non_working_day(day) is closed


def test_no_day_shown_is_ever_later_than_the_statute_allows():
    # Over three years of decisions, both limits: the day shown is the 15th/60th day, or the next
    # day that is not a s. 35 holiday, or earlier; never past a Saturday the statute leaves standing.
    start = date(2025, 1, 1)
    for offset in range(3 * 365):
        decision = start + timedelta(days=offset)
        for location, limit in ((IN, 15), (OUT, 60)):
            deadline = judicial_review_deadline(location, decision, today=decision)
            legal = decision + timedelta(days=limit)
            while is_statutory_holiday(legal):
                legal += timedelta(days=1)
            assert deadline.last_day <= legal
            assert deadline.last_day.weekday() < 5 and not is_statutory_holiday(deadline.last_day)


@pytest.mark.parametrize(
    "decision, in_recess",
    [
        (date(2026, 12, 10), True),  # last day Thursday 24 December
        (date(2026, 12, 17), True),  # last day Thursday 31 December
        (date(2026, 11, 29), False),  # last day Monday 14 December
        (date(2026, 12, 24), False),  # last day Friday 8 January: just after
    ],
)
def test_year_end_recess_is_flagged_but_never_added(decision, in_recess):
    deadline = judicial_review_deadline(IN, decision, today=decision)
    assert deadline.in_year_end_recess is in_recess
    assert deadline.last_day - decision <= timedelta(days=15 + 3)


def test_on_the_statute_s_saturday_the_limit_is_still_open_and_ends_that_day():
    # Day 15 is Saturday 5 December: on the Friday shown, and on the Saturday itself, still open.
    on_friday = judicial_review_deadline(IN, date(2026, 11, 20), today=date(2026, 12, 4))
    assert (on_friday.last_day, on_friday.days_left, on_friday.status) == (date(2026, 12, 4), 0, DeadlineStatus.URGENT)
    on_saturday = judicial_review_deadline(IN, date(2026, 11, 20), today=date(2026, 12, 5))
    assert (on_saturday.last_day, on_saturday.days_left) == (date(2026, 12, 5), 0)
    assert on_saturday.status is DeadlineStatus.URGENT
    on_sunday = judicial_review_deadline(IN, date(2026, 11, 20), today=date(2026, 12, 6))
    assert on_sunday.status is DeadlineStatus.EXPIRED


def test_hand_counted_last_days():
    # Counted by hand from the calendar and s. 35, independently of the code's holiday list.
    cases = {
        date(2026, 3, 22): date(2026, 4, 7),  # 6 April, Easter Monday: Tuesday 7
        date(2026, 5, 3): date(2026, 5, 19),  # 18 May, Victoria Day: Tuesday 19
        date(2026, 6, 16): date(2026, 7, 2),  # 1 July, Canada Day: Thursday 2
        date(2026, 9, 15): date(2026, 10, 1),  # 30 September, Truth and Reconciliation: Thursday 1 October
        date(2026, 9, 27): date(2026, 10, 12),  # 12 October, Thanksgiving, not in s. 35: Monday 12
        date(2025, 12, 11): date(2025, 12, 26),  # 26 December is not in s. 35
    }
    for decision, last_day in cases.items():
        assert judicial_review_deadline(IN, decision, today=decision).last_day == last_day, decision
