"""Federal Court time limit for an application for leave and judicial review (IRPA s. 72(2)(b)).

The limit is the statute's, so the statute's calendar counts it: a last day that is a holiday as
the Interpretation Act (s. 35) defines it moves to the next day that is not one (s. 26). Saturday
is not in s. 35; the Federal Courts Rules treat it as a holiday for their own time limits, and
whether that reaches the statute's 15/60 days is not settled: the day shown is then the Friday
before, and the Monday is mentioned only as a possible extension. Every doubt gives the earlier day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache
from typing import Dict, Optional

import holidays
from dateutil.easter import easter

from bot.domain.case import DecisionLocation

IN_CANADA_LIMIT_DAYS = 15
OUTSIDE_CANADA_LIMIT_DAYS = 60
URGENT_WITHIN_DAYS = 7


class DeadlineStatus(str, Enum):
    OPEN = "open"
    URGENT = "urgent"
    EXPIRED = "expired"
    DATE_UNKNOWN = "date_unknown"


class DecisionDateInFuture(ValueError):
    """A decision cannot be dated after today; the caller must ask again."""


@dataclass(frozen=True)
class SaturdayRule:
    """The statute's last day is a Saturday: the Federal Courts Rules' reading might move it to `rules_day`."""

    saturday: date
    rules_day: date


@dataclass(frozen=True)
class Deadline:
    limit_days: int
    status: DeadlineStatus
    shorter_limit_assumed: bool
    last_day: Optional[date] = None  # the day to file by: never later than the statute allows
    days_left: Optional[int] = None
    postponed_from: Optional[date] = None  # the 15th/60th day, when a Sunday or a holiday moved it later
    # When the statute's last day is a Saturday, `last_day` is the working day before; the later
    # day the Federal Courts Rules' reading might allow is a possibility, never the day shown.
    saturday_rule: Optional[SaturdayRule] = None

    @property
    def in_year_end_recess(self) -> bool:
        """Last day within 21 Dec - 7 Jan (Federal Courts Rule 6(3)).

        The recess is not shown to extend the statutory 15/60 days [check]: it is never added,
        but the person is told, since they may hear otherwise.
        """
        if self.last_day is None:
            return False
        month_day = (self.last_day.month, self.last_day.day)
        return month_day >= (12, 21) or month_day <= (1, 7)


def limit_days_for(location: DecisionLocation) -> int:
    # Unknown location: the shorter limit is the only safe assumption (domain-facts §1).
    if location is DecisionLocation.OUTSIDE_CANADA:
        return OUTSIDE_CANADA_LIMIT_DAYS
    return IN_CANADA_LIMIT_DAYS


@lru_cache(maxsize=16)
def interpretation_act_holidays(year: int) -> Dict[date, str]:
    """The federal days of the Interpretation Act's s. 35(1) list that fall on a fixed rule.

    Left out, each of which could only make a day later than the law allows: Thanksgiving (a
    holiday by proclamation, not named in s. 35), substitute days (Canada Day on 2 July, and the
    like), and provincial or municipal holidays (s. 35(1)(a) to (c) depend on where the person is).
    """
    easter_sunday = easter(year)
    days = {
        date(year, 1, 1): "jour de l'An",
        easter_sunday - timedelta(days=2): "Vendredi saint",
        easter_sunday + timedelta(days=1): "lundi de Pâques",
        # Victoria Day, also the day fixed for the Sovereign's birthday: the Monday before 25 May.
        date(year, 5, 24) - timedelta(days=date(year, 5, 24).weekday()): "fête de Victoria",
        date(year, 7, 1): "fête du Canada",
        date(year, 9, 1) + timedelta(days=(7 - date(year, 9, 1).weekday()) % 7): "fête du Travail",
        date(year, 11, 11): "jour du Souvenir",
        date(year, 12, 25): "jour de Noël",
    }
    if year >= 2021:  # added to s. 35 by S.C. 2021, c. 11
        days[date(year, 9, 30)] = "Journée nationale de la vérité et de la réconciliation"
    return days


def is_statutory_holiday(day: date) -> bool:
    """A holiday under the Interpretation Act s. 35: Sunday or a day of its federal list."""
    return day.weekday() == 6 or day in interpretation_act_holidays(day.year)


@lru_cache(maxsize=16)
def _business_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(
        "CA",
        years=year,
        categories=(holidays.PUBLIC, holidays.GOVERNMENT),
        observed=False,
    )


def is_non_working_day(day: date) -> bool:
    """The firm's calendar, for its call-back promise (not the Court's): weekends and Canada's
    public and federal-government holidays, Boxing Day included."""
    return day.weekday() >= 5 or day in _business_holidays(day.year)


def _last_day(nominal: date) -> tuple[date, Optional[SaturdayRule]]:
    """The day to file by, and the Monday a Saturday might give under the Federal Courts Rules."""
    legal = nominal
    while is_statutory_holiday(legal):  # Interpretation Act s. 26
        legal += timedelta(days=1)
    if legal.weekday() != 5:
        return legal, None
    file_by = legal - timedelta(days=1)
    while file_by.weekday() >= 5 or is_statutory_holiday(file_by):
        file_by -= timedelta(days=1)
    rules_day = legal + timedelta(days=1)
    while rules_day.weekday() >= 5 or is_statutory_holiday(rules_day):
        rules_day += timedelta(days=1)
    return file_by, SaturdayRule(legal, rules_day)


def judicial_review_deadline(location: DecisionLocation, decision_date: Optional[date], today: date) -> Deadline:
    limit = limit_days_for(location)
    shorter_assumed = location is DecisionLocation.UNKNOWN
    if decision_date is None:
        return Deadline(limit, DeadlineStatus.DATE_UNKNOWN, shorter_assumed)
    if decision_date > today:
        raise DecisionDateInFuture(decision_date.isoformat())

    # The day of the decision is excluded: day 1 is the day after.
    nominal = decision_date + timedelta(days=limit)
    last_day, saturday_rule = _last_day(nominal)
    if saturday_rule is not None and last_day < today <= saturday_rule.saturday:
        # The working day shown has passed, but the statute's Saturday has not: that is the last day.
        last_day = saturday_rule.saturday

    days_left = (last_day - today).days
    if days_left < 0:
        status = DeadlineStatus.EXPIRED
    elif days_left <= URGENT_WITHIN_DAYS:
        status = DeadlineStatus.URGENT
    else:
        status = DeadlineStatus.OPEN
    return Deadline(
        limit_days=limit,
        status=status,
        shorter_limit_assumed=shorter_assumed,
        last_day=last_day,
        days_left=days_left,
        postponed_from=nominal if last_day > nominal else None,
        saturday_rule=saturday_rule,
    )


def business_days_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (the firm's call-back promise uses the same calendar)."""
    for _ in range(count):
        day += timedelta(days=1)
        while is_non_working_day(day):
            day += timedelta(days=1)
    return day
