"""Reading a decision date written in free French, and writing a date the French way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, Dict, Iterable, Optional

import dateparser
from babel.dates import format_date
from dateparser.search import search_dates

# Long texts are not dates; parsing them only costs time.
MAX_DATE_TEXT_LENGTH = 80
NUMERIC_DATE = re.compile(r"^\D*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\D*$")
ISO_DATE = re.compile(r"^\D*(\d{4})-(\d{2})-(\d{2})\D*$")
DATEPARSER_SETTINGS = {
    "PREFER_DATES_FROM": "past",
    "DATE_ORDER": "DMY",
    "RETURN_AS_TIMEZONE_AWARE": False,
}


class DateProblem(str, Enum):
    UNREADABLE = "unreadable"
    NONEXISTENT = "nonexistent"
    IN_FUTURE = "in_future"


class Telling(str, Enum):
    """How the date was told: read off the letter, counted back from today, or roughly."""

    EXACT = "exact"  # "le 3 novembre", "03/11/2026"
    RELATIVE = "relative"  # "hier", "il y a 10 jours": the day is said back, to be checked on the letter
    ROUGH = "rough"  # "il y a deux semaines", "en novembre": counted from the earliest day it can mean


@dataclass(frozen=True)
class ParsedDate:
    value: Optional[date] = None
    problem: Optional[DateProblem] = None
    telling: Telling = Telling.EXACT


# On a 15-day limit, a date told from memory is counted from the earliest day it can mean.
RELATIVE_DAYS = re.compile(r"\b(?:hier|avant-hier|aujourd'hui|ce matin|jours?)\b", re.IGNORECASE)
WEEKS_AGO = re.compile(r"\bsemaines?\b", re.IGNORECASE)
LAST_WEEK = re.compile(r"\bsemaine (?:derni[eè]re|pass[ée]e)\b", re.IGNORECASE)
MONTHS_AGO = re.compile(r"\bmois\b", re.IGNORECASE)
LAST_MONTH = re.compile(r"\bmois (?:dernier|pass[ée])\b", re.IGNORECASE)
ROUGHLY = re.compile(r"\b(?:vers|environ|à peu près|a peu pres|autour du|genre)\b", re.IGNORECASE)
HALF_A_WEEK = timedelta(days=3)
HALF_A_MONTH = timedelta(days=15)
MONTHS = {
    "janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4, "mai": 5, "juin": 6,
    "juil": 7, "aout": 8, "sept": 9, "oct": 10, "nov": 11, "déc": 12, "dec": 12,
}  # fmt: skip
# A month with no day ("en novembre", "fin novembre 2026"): dateparser would put today's day in it.
MONTH_ONLY = re.compile(
    r"^\D*?\b(?:(d[ée]but|mi|fin)[\s-]*)?(?:(?:en|de|d'|du mois de|le mois de)\s*)?"
    r"\b(janv(?:ier)?|f[ée]vr(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|sept(?:embre)?|oct(?:obre)?"
    r"|nov(?:embre)?|d[ée]c(?:embre)?)\b\.?(?:\s+(\d{4}))?\D*$",
    re.IGNORECASE,
)
PART_OF_MONTH_FIRST_DAY = {None: 1, "début": 1, "debut": 1, "mi": 10, "fin": 20}


def _month_only(text: str, today: date) -> Optional[date]:
    """The earliest day a month told without its day can mean ("fin novembre": the 20th)."""
    match = MONTH_ONLY.match(text)
    if not match:
        return None
    part, name, year = match.group(1), match.group(2).lower(), match.group(3)
    month = next(number for prefix, number in MONTHS.items() if name.replace("û", "u").startswith(prefix))
    day = PART_OF_MONTH_FIRST_DAY[part.lower() if part else None]
    value = date(int(year) if year else today.year, month, day)
    if not year and value > today:
        value = value.replace(year=today.year - 1)
    return value


def _earliest_plausible(text: str, read: date, today: date) -> ParsedDate:
    if LAST_WEEK.search(text):
        return ParsedDate(value=today - timedelta(days=today.weekday() + 7), telling=Telling.ROUGH)
    if LAST_MONTH.search(text):
        first_of_this_month = today.replace(day=1)
        return ParsedDate(value=(first_of_this_month - timedelta(days=1)).replace(day=1), telling=Telling.ROUGH)
    if MONTHS_AGO.search(text):
        return ParsedDate(value=read - HALF_A_MONTH, telling=Telling.ROUGH)
    if WEEKS_AGO.search(text) or ROUGHLY.search(text):
        return ParsedDate(value=read - HALF_A_WEEK, telling=Telling.ROUGH)
    if RELATIVE_DAYS.search(text):
        return ParsedDate(value=read, telling=Telling.RELATIVE)
    return ParsedDate(value=read)


def _calendar_date(year: int, month: int, day: int) -> ParsedDate:
    if year < 100:
        year += 2000
    try:
        return ParsedDate(value=date(year, month, day))
    except ValueError:
        return ParsedDate(problem=DateProblem.NONEXISTENT)


def _read(text: str, today: date) -> ParsedDate:
    iso = ISO_DATE.match(text)
    if iso:
        return _calendar_date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = NUMERIC_DATE.match(text)
    if numeric:
        # Day first, as written in French: 03/11/2026 is the 3rd of November.
        return _calendar_date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
    settings = dict(DATEPARSER_SETTINGS, RELATIVE_BASE=datetime.combine(today, datetime.min.time()))
    parsed = dateparser.parse(text, languages=["fr"], settings=settings)
    if parsed is not None:
        return ParsedDate(value=parsed.date())
    return _search_in_sentence(text, settings)


def _search_in_sentence(text: str, settings: Dict[str, Any]) -> ParsedDate:
    """'je l'ai reçue le 3 novembre': one date inside a sentence.

    Only matches holding a digit count: the search otherwise reads 'je' as jeudi.
    """
    found = search_dates(text, languages=["fr"], settings=settings) or []
    days = {moment.date() for matched, moment in found if any(c.isdigit() for c in matched)}
    if len(days) != 1:
        return ParsedDate(problem=DateProblem.UNREADABLE)
    return ParsedDate(value=days.pop())


def parse_decision_date(text: Optional[str], today: date) -> ParsedDate:
    """A past or present date, or why the text is not one."""
    cleaned = (text or "").strip()
    if not cleaned or len(cleaned) > MAX_DATE_TEXT_LENGTH:
        return ParsedDate(problem=DateProblem.UNREADABLE)
    month_only = _month_only(cleaned, today)
    if month_only is not None:
        if month_only > today:
            return ParsedDate(problem=DateProblem.IN_FUTURE)
        return ParsedDate(value=month_only, telling=Telling.ROUGH)
    result = _read(cleaned, today)
    if result.value is None:
        return result
    if result.value > today:
        return ParsedDate(problem=DateProblem.IN_FUTURE)
    return _earliest_plausible(cleaned, result.value, today)


# In a person's account of the refusal, a date counts as the decision's only right after a word about
# the decision ("refusée le 20 novembre", "lettre reçue hier"): "mon test du 3 mars a expiré" gives
# the test's date, not the letter's.
DECISION_CUE = r"\b(?:refus\w*|rejet\w*|re[çc]u\w*|lettre|d[ée]cision|r[ée]ponse)\b"
MONTH = r"(?:janv\w*|f[ée]vr\w*|mars|avr\w*|mai|juin|juil\w*|ao[uû]t|sept\w*|oct\w*|nov\w*|d[ée]c\w*)\.?"
DATE_SPAN = (
    rf"\d{{1,2}}(?:er)?\s+{MONTH}(?:\s+\d{{4}})?"
    r"|\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?"
    r"|avant-hier|hier|aujourd'hui|ce matin"
    r"|il y a (?:\d+|un|une|deux|trois|quatre|cinq|six|dix|quinze) (?:jours?|semaines?)"
)
DECISION_DATE_IN_STORY = re.compile(rf"{DECISION_CUE}[^.!?\n]{{0,40}}?\b({DATE_SPAN})(?!\w)", re.IGNORECASE)
# "lettre d'équité reçue le 3 novembre", "l'invitation reçue le 2 octobre": the clause names another
# letter or document, whose date is not the decision's.
OTHER_DOCUMENT = re.compile(
    r"[ée]quit[ée]|\bpfl\b|employeur|\bemploi\b|r[ée]f[ée]rence|offre|invitation|\bita\b|\bipd\b|\btest\b"
    r"|ielts|\btef\b|\btcf\b|celpip|examen|passeport|certificat|dipl[ôo]me",
    re.IGNORECASE,
)
CLAUSE_BREAK = re.compile(r"[,;:.!?\n]")


def decision_date_in_story(texts: Iterable[str], today: date) -> Optional[ParsedDate]:
    """The decision's date where the person's own account states it next to the decision, and states
    only one: two different dates, or none readable, and the question is asked instead."""
    found = set()
    for text in texts:
        for match in DECISION_DATE_IN_STORY.finditer(text or ""):
            # From the start of the clause to the date: "l'invitation reçue le 2 octobre" names the invitation.
            clause = CLAUSE_BREAK.split(text[: match.start()])[-1] + text[match.start() : match.start(1)]
            if OTHER_DOCUMENT.search(clause):
                continue
            parsed = parse_decision_date(match.group(1), today)
            if parsed.value is not None:
                found.add(parsed)
    days = {parsed.value for parsed in found}
    if len(days) != 1:
        return None
    # The same day told exactly and roughly: the exact telling stands.
    return min(found, key=lambda parsed: list(Telling).index(parsed.telling))


def format_french_date(day: date, weekday: bool = True) -> str:
    """'lundi 14 décembre 2026', or '14 décembre 2026' without the weekday."""
    return format_date(day, format="full" if weekday else "long", locale="fr_CA")
