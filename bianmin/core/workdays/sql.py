"""The same working-day arithmetic inside SQL, for set-based sweeps and statistics."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    DateField,
    DateTimeField,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Subquery,
)

from bianmin.core.dates import BeijingDate
from bianmin.core.models import CalendarDay

# --- The same arithmetic inside SQL, for set-based sweeps and statistics ---------------------------------
#
# Each helper returns a query expression to annotate or filter any queryset with, so a sweep over 10^5
# open cases is one statement that joins the calendar, not a Python loop. ``field`` names a DateField
# (or, with ``is_datetime=True``, a DateTimeField whose Beijing-time date counts) of the queryset's model,
# following relations with "__" as usual. A date outside the calendar yields NULL.


def _calendar_date(field: str, is_datetime: bool, depth: int = 1) -> Any:
    reference: Any = field
    for _level in range(depth):
        reference = OuterRef(reference)
    if not is_datetime:
        return reference
    # An outer reference carries no field type until resolved; the date expression needs to know it is a datetime.
    return BeijingDate(ExpressionWrapper(reference, output_field=DateTimeField()))


def workday_ordinal_expression(field: str, *, is_datetime: bool = False, _depth: int = 1) -> Subquery:
    """The working-day ordinal of the date in ``field`` (see CalendarDay)."""
    return Subquery(
        CalendarDay.objects.filter(date=_calendar_date(field, is_datetime, _depth)).values("ordinal")[:1],
        output_field=IntegerField(),
    )


def add_workdays_expression(field: str, days: int | Any, *, is_datetime: bool = False) -> Subquery:
    """ALL art. 82 in SQL: the date ``days`` (>= 1; an int or an expression) working days after ``field``."""
    # The ordinal lookup sits inside the date lookup, so its reference reaches out two levels.
    target = workday_ordinal_expression(field, is_datetime=is_datetime, _depth=2) + days
    return Subquery(
        CalendarDay.objects.filter(ordinal=target, is_workday=True).values("date")[:1],
        output_field=DateField(),
    )


def workdays_between_expression(start_field: str, end_field: str, *, is_datetime: bool = False) -> ExpressionWrapper:
    """ALL art. 82 in SQL: working days from ``start_field`` (not counted) to ``end_field``."""
    return ExpressionWrapper(
        workday_ordinal_expression(end_field, is_datetime=is_datetime)
        - workday_ordinal_expression(start_field, is_datetime=is_datetime),
        output_field=IntegerField(),
    )
