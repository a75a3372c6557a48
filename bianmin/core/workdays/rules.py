"""Rules for whole years: the chinesecalendar package's years, provisional rules for the years after."""

from __future__ import annotations

import datetime

import chinese_calendar

from ._common import _FIXED_DATE_HOLIDAYS, _PACKAGE_HOLIDAY_NAMES, MAKEUP_WORKDAY_NAME, NAME_MAX_LENGTH, DayRule

# --- Rules for whole years -------------------------------------------------------------------------


def _dates_of(year: int) -> list[datetime.date]:
    first = datetime.date(year, 1, 1)
    return [first + datetime.timedelta(days=offset) for offset in range((datetime.date(year + 1, 1, 1) - first).days)]


def _weekday_rule(day: datetime.date) -> DayRule:
    return DayRule(is_workday=day.weekday() < 5)


def package_years() -> range:
    """The years the installed chinesecalendar package has the State Council's arrangements for."""
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def _package_holiday_name(english: str) -> str:
    if english in _PACKAGE_HOLIDAY_NAMES:
        return _PACKAGE_HOLIDAY_NAMES[english]
    try:
        return chinese_calendar.Holiday(english).chinese[:NAME_MAX_LENGTH]
    except ValueError:
        return english[:NAME_MAX_LENGTH]


def package_days(year: int) -> dict[datetime.date, DayRule]:
    """Every date of a year the package knows: its holidays, its make-up working days, else weekday rules."""
    days = {}
    for day in _dates_of(year):
        if day in chinese_calendar.workdays:
            days[day] = DayRule(True, MAKEUP_WORKDAY_NAME)
        elif day in chinese_calendar.holidays:
            days[day] = DayRule(False, _package_holiday_name(chinese_calendar.holidays[day]))
        else:
            days[day] = _weekday_rule(day)
    return days


def provisional_days(year: int) -> dict[datetime.date, DayRule]:
    """A year nobody has published yet: weekends plus the fixed-date holidays (元旦, 劳动节, 国庆节) only."""
    days = {}
    for day in _dates_of(year):
        holiday = _FIXED_DATE_HOLIDAYS.get((day.month, day.day))
        days[day] = DayRule(False, holiday) if holiday else _weekday_rule(day)
    return days
