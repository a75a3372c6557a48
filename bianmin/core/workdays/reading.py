"""Reading the calendar: N working days after a date, working days between two, provisional years."""

from __future__ import annotations

import datetime

from django.db.models import (
    Max,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.core.errors import DomainError
from bianmin.core.models import CalendarDay, CalendarYear

from ._common import CALENDAR_TIME_ZONE, ONE_DAY, CalendarGap, Deadline

# --- Reading the calendar --------------------------------------------------------------------------


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        # Raises ValueError for a naive datetime: its calendar day would be a guess.
        return timezone.localdate(value, CALENDAR_TIME_ZONE)
    return value


def _first_date_after_table() -> datetime.date:
    last = CalendarDay.objects.aggregate(last=Max("date"))["last"]
    return last + ONE_DAY if last is not None else timezone.localdate(timezone=CALENDAR_TIME_ZONE)


def add_workdays(start: datetime.date | datetime.datetime, days: int) -> Deadline:
    """ALL art. 82: the day ``days`` working days after ``start``; the start day itself is not counted.

    The result is always a working day. ``days=0`` gives ``start`` when it is a working day and otherwise
    the next working day (a limit ending on a non-working day ends on the next working day). A negative
    ``days`` raises DomainError; a result outside the calendar raises CalendarGap. ``is_provisional`` is
    True when any day deciding the result, in (start, result] (or [start, result] for 0), is provisional.
    """
    if days < 0:
        raise DomainError(_("The number of working days cannot be negative."), code="invalid_workdays")
    start = _as_date(start)
    found = CalendarDay.objects.filter(date=start).values_list("ordinal", "is_workday").first()
    if found is None:
        raise CalendarGap(start)
    ordinal, start_is_workday = found
    if days == 0 and start_is_workday:
        result = start
    else:
        result = (
            CalendarDay.objects.filter(ordinal=ordinal + max(days, 1), is_workday=True)
            .values_list("date", flat=True)
            .first()
        )
        if result is None:
            raise CalendarGap(_first_date_after_table())
    first_deciding_day = start if days == 0 else start + ONE_DAY
    is_provisional = CalendarDay.objects.filter(
        date__gte=first_deciding_day, date__lte=result, is_provisional=True
    ).exists()
    return Deadline(date=result, is_provisional=is_provisional)


def workdays_between(start: datetime.date | datetime.datetime, end: datetime.date | datetime.datetime) -> int:
    """ALL art. 82: working days from ``start`` (not counted) to ``end`` (counted if a working day).

    Aware datetimes count by their Beijing-time date. Negative when ``end`` is before ``start``.
    """
    start, end = _as_date(start), _as_date(end)
    ordinals = dict(CalendarDay.objects.filter(date__in={start, end}).values_list("date", "ordinal"))
    for day in (start, end):
        if day not in ordinals:
            raise CalendarGap(day)
    return ordinals[end] - ordinals[start]


def is_workday(day: datetime.date | datetime.datetime) -> bool:
    """ALL art. 82: whether ``day`` is a working day (make-up weekends are; holidays are not)."""
    day = _as_date(day)
    found = CalendarDay.objects.filter(date=day).values_list("is_workday", flat=True).first()
    if found is None:
        raise CalendarGap(day)
    return found


def provisional_years_in(start: datetime.date, end: datetime.date) -> list[int]:
    """The provisional years among the days after the earlier date up to the later one (one query)."""
    low, high = sorted((_as_date(start), _as_date(end)))
    days = CalendarDay.objects.filter(date__gt=low, date__lte=high, is_provisional=True)
    return [first_day.year for first_day in days.dates("date", "year")]


def provisional_years_needing_confirmation(*, today: datetime.date | None = None) -> list[int]:
    """This year and next year when not confirmed (provisional or missing): the administrators' banner.

    One query. ``today`` is injectable; it defaults to today's Beijing-time date.
    """
    today = today or timezone.localdate(timezone=CALENDAR_TIME_ZONE)
    years = [today.year, today.year + 1]
    statuses = dict(CalendarYear.objects.filter(year__in=years).values_list("year", "status"))
    return [year for year in years if statuses.get(year) != CalendarYear.Status.CONFIRMED]
