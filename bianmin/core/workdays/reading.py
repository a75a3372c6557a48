"""Reading the calendar: N working days after a date, working days between two, provisional years."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Max
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
    first_deciding_day = start if days == 0 else start + ONE_DAY
    with connection.cursor() as cursor:
        cursor.execute(_add_workdays_sql(), [days == 0, first_deciding_day, days == 0, max(days, 1), start])
        found = cursor.fetchone()
    if found is None:
        raise CalendarGap(start)
    result, is_provisional = found
    if result is None:
        raise CalendarGap(_first_date_after_table())
    return Deadline(date=_as_stored_date(result), is_provisional=bool(is_provisional))


# ``add_workdays`` in one statement (it runs several times in every acceptance): the start day's row, the working day
# ``days`` ordinals later (or the start itself for 0 days on a working day), and whether a provisional day decides
# it. Parameters: zero days, the first deciding day, zero days again, max(days, 1), the start.
_RESULT = 'CASE WHEN %s AND s.is_workday THEN s."date" ELSE r."date" END'


def _add_workdays_sql() -> str:
    table = connection.ops.quote_name(CalendarDay._meta.db_table)
    return f"""SELECT {_RESULT},
        EXISTS (SELECT 1 FROM {table} p WHERE p.is_provisional AND p."date" >= %s AND p."date" <= ({_RESULT}))
    FROM {table} s LEFT JOIN {table} r ON r.ordinal = s.ordinal + %s AND r.is_workday
    WHERE s."date" = %s"""


def _as_stored_date(value) -> datetime.date:
    """A date column as SQLite's raw cursor returns it (text) or PostgreSQL's (a date)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


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
