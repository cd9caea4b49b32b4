"""Federal Court time limit for an application for leave and judicial review (IRPA s. 72(2)(b))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache
from typing import Optional

import holidays

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
class Deadline:
    limit_days: int
    status: DeadlineStatus
    shorter_limit_assumed: bool
    last_day: Optional[date] = None
    days_left: Optional[int] = None
    postponed_from: Optional[date] = None

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
def _federal_holidays(year: int) -> holidays.HolidayBase:
    # Substitute ("observed") days are left out on purpose: counting one we are unsure of
    # would tell the person a later day than the law may allow.
    return holidays.country_holidays(
        "CA",
        years=year,
        categories=(holidays.PUBLIC, holidays.GOVERNMENT),
        observed=False,
    )


def is_non_working_day(day: date) -> bool:
    """Saturdays, Sundays (Federal Courts Rules, r. 2) and federal holidays (Interpretation Act s. 26)."""
    return day.weekday() >= 5 or day in _federal_holidays(day.year)


def judicial_review_deadline(location: DecisionLocation, decision_date: Optional[date], today: date) -> Deadline:
    limit = limit_days_for(location)
    shorter_assumed = location is DecisionLocation.UNKNOWN
    if decision_date is None:
        return Deadline(limit, DeadlineStatus.DATE_UNKNOWN, shorter_assumed)
    if decision_date > today:
        raise DecisionDateInFuture(decision_date.isoformat())

    # The day of the decision is excluded: day 1 is the day after.
    nominal = decision_date + timedelta(days=limit)
    last_day = nominal
    while is_non_working_day(last_day):
        last_day += timedelta(days=1)

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
        postponed_from=nominal if nominal != last_day else None,
    )


def business_days_after(day: date, count: int) -> date:
    """The `count`-th working day after `day` (the firm's call-back promise uses the same calendar)."""
    for _ in range(count):
        day += timedelta(days=1)
        while is_non_working_day(day):
            day += timedelta(days=1)
    return day
