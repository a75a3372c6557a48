"""A case's clock, read from its own row: colour (green, yellow, red, paused, done) and working days left.

The one definition of the colour, for the work queues, the case page, the API and the live monitor:
- paused: suspended for a special procedure (ALL art. 45), or waiting for the applicant's supplementary
  materials (art. 32: the acceptance clock starts again only when the complete materials arrive);
- received, not yet accepted: the acceptance clock, ``acceptance_due`` (art. 32: 5 working days); red once
  that day is over, yellow with the threshold's working days left or fewer (a share of 5 days adds nothing);
- accepted: the promised deadline; red once that day is over, yellow with the threshold's working days left
  or fewer or once the threshold's share of the limit (accepted on → promised deadline, in working days) is
  used;
- done: no clock runs (decided, closed, withdrawn, refused); unknown: a date outside the calendar.
Working days come from the calendar's ordinals (ALL art. 82), so a holiday uses up no time.

What the colour needs is kept on the case (``clock_due``, ``clock_due_ordinal``, ``yellow_ordinal``) by
``cases_clock_refresh``, which the services run after every move (cases/access.py), the calendar after a change
and the yellow thresholds after theirs: the colour of any number of cases is then a comparison of their columns
with today's date and ordinal, and "red" or "yellow" are ranges of an index.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Case as CaseWhen
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest, Least
from django.db.models.sql import UpdateQuery

from bianmin.core.workdays import CalendarGap, workday_ordinal_expression

from .models import Case, Status, YellowThreshold

COLOURS = ("red", "yellow", "green", "paused")
PAUSED_STATUSES = [Status.SUSPENDED, Status.SUPPLEMENT_REQUESTED]
RUNNING_STATUSES = [Status.ACCEPTED, Status.RECEIVED]

# The built-in yellow threshold, used when no YellowThreshold row applies (supervision.services.thresholds):
# yellow with this many working days left or fewer, or once this share of the promised limit is used up.
YELLOW_DAYS_LEFT = 1
YELLOW_SHARE_USED = 0.8
DEFAULT_SHARE_USED_PERCENT = round(YELLOW_SHARE_USED * 100)
# A limit a row leaves empty is "not applied": these values can never be reached by a running clock.
_DAYS_OFF = -1
_PERCENT_OFF = 101


def _thresholds() -> list[tuple]:
    """(item_id, department_id, days_left, share_used_percent) of every yellow threshold: a handful of rows."""
    columns = ("item_id", "department_id", "days_left", "share_used_percent")
    return list(YellowThreshold.objects.order_by("pk").values_list(*columns))


def threshold_limit(thresholds: list[tuple], field: str) -> CaseWhen | Value:
    """The effective limit: the item's row, else the department's row, else the global row, else the default.

    The thresholds are written into the SQL as constants: no join and no lookup per case."""
    position, off, default = (2, _DAYS_OFF, YELLOW_DAYS_LEFT) if field == "days_left" else (3, _PERCENT_OFF, 0)
    if field != "days_left":
        default = DEFAULT_SHARE_USED_PERCENT
    by_item = {row[0]: row[position] for row in thresholds if row[0] is not None}
    by_department = {row[1]: row[position] for row in thresholds if row[1] is not None}
    global_rows = [row[position] for row in thresholds if row[0] is None and row[1] is None]
    fallback = Value((off if global_rows[0] is None else global_rows[0]) if global_rows else default)
    whens = [When(item_id=pk, then=Value(off if limit is None else limit)) for pk, limit in sorted(by_item.items())]
    whens += [
        When(department_id=pk, then=Value(off if limit is None else limit))
        for pk, limit in sorted(by_department.items())
    ]
    if not whens:
        return fallback
    return CaseWhen(*whens, default=fallback, output_field=IntegerField())


def _clock_columns(thresholds: list[tuple]) -> dict:
    """The values of the clock columns, as SQL over the case's own columns (for an UPDATE of any set of cases).

    Yellow from the first day with the threshold's working days left or fewer (due - days), or, once accepted,
    with the threshold's share of the limit used: used * 100 >= percent * limit  <=>  today >= accepted +
    ceil(percent * limit / 100), in integers (no rounding); the limit is the working days from acceptance to the
    promised deadline, at least 1.
    """
    yellow_days = threshold_limit(thresholds, "days_left")
    yellow_percent = threshold_limit(thresholds, "share_used_percent")
    promised = workday_ordinal_expression("promised_due")
    accepted = workday_ordinal_expression("accepted_on")
    acceptance = workday_ordinal_expression("acceptance_due")
    limit = Greatest(promised - accepted, Value(1))
    share_reached_from = accepted + (yellow_percent * limit + Value(99)) / Value(100)
    return {
        "clock_due": CaseWhen(
            When(status=Status.ACCEPTED, then=F("promised_due")),
            When(status=Status.RECEIVED, then=F("acceptance_due")),
            default=None,
        ),
        "clock_due_ordinal": CaseWhen(
            When(status=Status.ACCEPTED, then=promised),
            When(status=Status.RECEIVED, then=acceptance),
            default=None,
            output_field=IntegerField(),
        ),
        "yellow_ordinal": CaseWhen(
            When(status=Status.ACCEPTED, then=Least(promised - yellow_days, share_reached_from)),
            When(status=Status.RECEIVED, then=acceptance - yellow_days),
            default=None,
            output_field=IntegerField(),
        ),
    }


def cases_clock_refresh(cases: QuerySet[Case]) -> int:
    """Recompute the clock columns of these cases in one UPDATE (after a move, a calendar or threshold change)."""
    return Case.objects.filter(pk__in=cases.values("pk")).update(**_clock_columns(_thresholds()))


# The UPDATE of one case's clock columns, compiled once per set of thresholds (building the expressions costs far
# more than running them): the SQL and its parameters, the case's id being the last one.
_ONE_CASE_SQL: dict[tuple, tuple[str, list]] = {}
_SOME_ID = -7


def case_clock_refresh(pk: int) -> None:
    """``cases_clock_refresh`` of one case: the statement every move of a case runs."""
    thresholds = tuple(_thresholds())
    key = (connection.alias, connection.vendor, thresholds)
    compiled = _ONE_CASE_SQL.get(key)
    if compiled is None:
        query = Case.objects.filter(pk=_SOME_ID).query.chain(UpdateQuery)
        query.add_update_values(_clock_columns(list(thresholds)))
        sql, params = query.get_compiler(connection.alias).as_sql()
        if list(params).count(_SOME_ID) != 1 or params[-1] != _SOME_ID:
            raise RuntimeError("the compiled clock update does not end with the case's id")
        compiled = _ONE_CASE_SQL[key] = (sql, list(params[:-1]))
    sql, params = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk])


def today_ordinal(today: datetime.date) -> int | None:
    from bianmin.core.models import CalendarDay

    return CalendarDay.objects.filter(date=today).values_list("ordinal", flat=True).first()


def colour_expression(today: datetime.date, ordinal: int | None, *, due: str = "clock_due") -> CaseWhen:
    """The colour as SQL over the clock columns: a case's, or their copies in CaseAccess (``due="sort_due"``)."""
    status, yellow = "status", "yellow_ordinal"
    whens = [
        When(Q(**{f"{status}__in": PAUSED_STATUSES}), then=Value("paused")),
        When(~Q(**{f"{status}__in": RUNNING_STATUSES}), then=Value("done")),
        # Red once the deadline day is over, even when no working day has passed since (a Sunday after a
        # deadline on a make-up Saturday): the same test as the alert sweep's "overdue".
        When(Q(**{f"{due}__lt": today}), then=Value("red")),
    ]
    if ordinal is None:
        return CaseWhen(*whens, default=Value("unknown"))
    whens += [
        When(Q(**{f"{yellow}__isnull": True}), then=Value("unknown")),
        When(Q(**{f"{yellow}__lte": ordinal}), then=Value("yellow")),
    ]
    return CaseWhen(*whens, default=Value("green"))


def annotate_clock(cases: QuerySet[Case], today: datetime.date, ordinal: int | bool | None = False) -> QuerySet[Case]:
    """Annotate ``colour`` and ``days_left`` (working days to the running deadline; negative when overdue).
    ``ordinal``: today's working-day ordinal when the caller has read it already."""
    if ordinal is False:
        ordinal = today_ordinal(today)
    days_left = (
        CaseWhen(
            When(status__in=RUNNING_STATUSES, then=F("clock_due_ordinal") - Value(ordinal)),
            default=None,
            output_field=IntegerField(),
        )
        if ordinal is not None
        else Value(None, output_field=IntegerField())
    )
    return cases.annotate(days_left=days_left, colour=colour_expression(today, ordinal))


def clock(case: Case, today: datetime.date) -> dict:
    """The case's clock (``colour``, ``days_left``) from its row: the same definition as ``annotate_clock``.

    Raises CalendarGap when a date it needs is outside the calendar."""
    if case.pk is None:
        return {"colour": "done", "days_left": None}
    row = annotate_clock(Case.objects.filter(pk=case.pk), today).values("colour", "days_left").first()
    if row is None:
        return {"colour": "done", "days_left": None}
    if row["colour"] == "unknown":
        if today_ordinal(today) is None:
            raise CalendarGap(today)
        raise CalendarGap(case.promised_due if case.status == Status.ACCEPTED else case.acceptance_due)
    return {"colour": row["colour"], "days_left": row["days_left"]}
