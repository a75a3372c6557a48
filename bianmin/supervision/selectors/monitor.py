"""The live monitor (实时监控): every open case with its clock, coloured in SQL.

``annotate_clock`` is the one definition of a case's colour; ``cases.selectors.clock`` asks it for a single
case, so the monitor, the case page and the API cannot disagree. Everything is set-based: a page of the
monitor is a handful of statements whatever the number of cases.

Colours:
- paused: suspended for a special procedure (ALL art. 45), or waiting for the applicant's supplementary
  materials (art. 32: the acceptance clock starts again only when the complete materials arrive);
- received, not yet accepted: the acceptance clock, ``acceptance_due`` (art. 32: 5 working days); red once
  that day is over, yellow with the threshold's working days left or fewer (a share of 5 days adds nothing);
- accepted: the promised deadline; red once that day is over, yellow with the threshold's working days left
  or fewer or once the threshold's share of the limit (accepted on → promised deadline, in working days) is
  used;
- done: no clock runs (decided, closed, withdrawn, refused); unknown: a date outside the calendar.
Working days come from the calendar's ordinals (ALL art. 82), so a holiday uses up no time.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from bianmin.accounts.models import User
from bianmin.cases.models import OPEN_STATUSES, ReviewTask, Status
from bianmin.cases.models import Case as CaseModel
from bianmin.cases.selectors import YELLOW_DAYS_LEFT, YELLOW_SHARE_USED, cases_visible_to
from bianmin.core.models import CalendarDay
from bianmin.core.workdays import workday_ordinal_expression
from bianmin.org.models import Department, Role, RoleAssignment, Site, Window
from bianmin.org.selectors import user_scope

from ..models import YellowThreshold

COLOURS = ("red", "yellow", "green", "paused")
PAUSED_STATUSES = [Status.SUSPENDED, Status.SUPPLEMENT_REQUESTED]
RUNNING_STATUSES = [Status.ACCEPTED, Status.RECEIVED]
DEFAULT_SHARE_USED_PERCENT = round(YELLOW_SHARE_USED * 100)
# A limit a row leaves empty is "not applied": these values can never be reached by a running clock.
_DAYS_OFF = -1
_PERCENT_OFF = 101

MONITOR_ROLES = frozenset({Role.SUPERVISOR, Role.CENTRE_ADMIN})
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE})


def _today_ordinal(today: datetime.date) -> Subquery:
    return Subquery(CalendarDay.objects.filter(date=today).values("ordinal")[:1], output_field=IntegerField())


def _threshold_limit(thresholds: list[tuple], field: str, off: int, default: int) -> CaseWhen | Value:
    """The effective limit: the item's row, else the department's row, else the global row, else the default.

    The thresholds are a handful of rows, read once (``thresholds``: (item_id, department_id, days_left,
    share_used_percent)) and written into the SQL as constants: no join and no lookup per case."""
    position = 2 if field == "days_left" else 3
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


def annotate_clock(cases: QuerySet[CaseModel], today: datetime.date) -> QuerySet[CaseModel]:
    """Annotate ``days_left``, ``yellow_days``, ``yellow_percent`` and ``colour`` (see the module's docstring).

    The conditions are ordered cheapest first, since a CASE stops at the first that holds: paused and done
    read the status, red compares the deadline with today (no calendar lookup), and only the cases still
    running look up their working days. The yellow thresholds are read first (one small query) and enter the
    SQL as constants, so the cases are joined to nothing.
    """
    today_ordinal = _today_ordinal(today)
    accepted_ordinal = workday_ordinal_expression("accepted_on")
    columns = ("item_id", "department_id", "days_left", "share_used_percent")
    thresholds = list(YellowThreshold.objects.order_by("pk").values_list(*columns))
    cases = cases.annotate(
        days_left=CaseWhen(
            When(status=Status.ACCEPTED, then=workday_ordinal_expression("promised_due") - today_ordinal),
            When(status=Status.RECEIVED, then=workday_ordinal_expression("acceptance_due") - today_ordinal),
            default=None,
            output_field=IntegerField(),
        ),
        yellow_days=_threshold_limit(thresholds, "days_left", _DAYS_OFF, YELLOW_DAYS_LEFT),
        yellow_percent=_threshold_limit(thresholds, "share_used_percent", _PERCENT_OFF, DEFAULT_SHARE_USED_PERCENT),
    )
    # Share used >= percent  <=>  used * 100 >= percent * limit, in integers (no rounding); the limit is the
    # working days from acceptance to the promised deadline (at least 1), the used ones from acceptance to today.
    limit = Greatest(workday_ordinal_expression("promised_due") - accepted_ordinal, Value(1))
    share_reached = GreaterThanOrEqual((today_ordinal - accepted_ordinal) * Value(100), F("yellow_percent") * limit)
    # Red once the deadline day is over, even when no working day has passed since (a Sunday after a deadline
    # on a make-up Saturday): the same test as the alert sweep's "overdue".
    overdue = Q(status=Status.ACCEPTED, promised_due__lt=today) | Q(status=Status.RECEIVED, acceptance_due__lt=today)
    # ``clock_today`` lets the colour filters (monitor_clock_filtered) say "overdue" in plain columns.
    return cases.alias(clock_today=Value(today, output_field=DateField())).annotate(
        colour=CaseWhen(
            When(status__in=PAUSED_STATUSES, then=Value("paused")),
            When(~Q(status__in=RUNNING_STATUSES), then=Value("done")),
            When(overdue, then=Value("red")),
            When(LessThanOrEqual(F("days_left"), F("yellow_days")), then=Value("yellow")),
            When(Q(status=Status.ACCEPTED) & Q(share_reached), then=Value("yellow")),
            When(days_left__isnull=True, then=Value("unknown")),
            default=Value("green"),
        )
    )


def annotate_late_steps(cases: QuerySet[CaseModel], today: datetime.date) -> QuerySet[CaseModel]:
    """``late_steps``: open review steps past their due date, even when the case as a whole is on time.

    Only for running clocks (accepted): a suspension moves the open steps' due dates when it ends.
    """
    late = (
        ReviewTask.objects.filter(case=OuterRef("pk"), state=ReviewTask.State.OPEN, due__lt=today)
        .order_by()
        .values("case")
        .annotate(count=Count("pk"))
        .values("count")
    )
    late_cases = ReviewTask.objects.filter(state=ReviewTask.State.OPEN, due__lt=today).values("case_id")
    has_late_steps = ExpressionWrapper(Q(status=Status.ACCEPTED, pk__in=late_cases), output_field=BooleanField())
    return cases.alias(has_late_steps=has_late_steps).annotate(
        late_steps=CaseWhen(
            When(status=Status.ACCEPTED, then=Coalesce(Subquery(late, output_field=IntegerField()), Value(0))),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def colour_counts(cases: QuerySet[CaseModel]) -> dict[str, int]:
    """How many of the (clock-annotated) cases have each colour, "unknown" included (a date outside the
    calendar). One GROUP BY over the colour, so the expression is evaluated once per case: a conditional Count
    per colour repeats it in each aggregate (measured: 4.7 times slower over 10^5 open cases on SQLite)."""
    counts = dict.fromkeys((*COLOURS, "unknown"), 0)
    for row in cases.order_by().values("colour").annotate(count=Count("pk")):
        counts[row["colour"]] = row["count"]
    return counts


# --- Who sees which cases ------------------------------------------------------------------------------------------


def can_monitor(user: User | None) -> bool:
    """Supervisors and centre administrators (their jurisdiction), department heads and chief
    representatives (their department's cases)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user_scope(user).roles & (MONITOR_ROLES | DEPARTMENT_ROLES))


def _monitored_departments(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(
        user=user, is_active=True, role__in=DEPARTMENT_ROLES, department__isnull=False
    ).values("department_id")


def open_cases_monitored_by(user: User) -> QuerySet[CaseModel]:
    """The open cases on the user's monitor: read through ``cases_visible_to`` (the one door for case reads),
    then only open ones; a department head or chief representative only their own departments' cases."""
    if not can_monitor(user):
        return CaseModel.objects.none()
    cases = cases_visible_to(user).filter(status__in=OPEN_STATUSES)
    if user.is_superuser or user_scope(user).roles & MONITOR_ROLES:
        return cases
    return cases.filter(department_id__in=_monitored_departments(user))


@dataclass(frozen=True)
class MonitorFilters:
    site: Site | None = None
    level: str = ""
    department: Department | None = None
    item_id: int | None = None
    window: Window | None = None
    received_by_id: int | None = None
    colour: str = ""
    has_late_steps: bool = False


def monitor_filtered(cases: QuerySet[CaseModel], filters: MonitorFilters) -> QuerySet[CaseModel]:
    """Filters that need no clock: where the case is now (the site's subtree, or a level), its department,
    item, window and the staff who received it.

    The case does not record its window. A window's cases are those received at its site by staff assigned to
    it: the general window (一窗受理) receives every department's applications, so the window's departments would
    attribute them to the wrong window.
    """
    if filters.site is not None:
        cases = cases.filter(current_site__path__startswith=filters.site.path)
    if filters.level:
        cases = cases.filter(current_site__level=filters.level)
    if filters.department is not None:
        cases = cases.filter(department=filters.department)
    if filters.item_id:
        cases = cases.filter(item_id=filters.item_id)
    if filters.window is not None:
        window_staff = RoleAssignment.objects.filter(window=filters.window, is_active=True).values("user_id")
        cases = cases.filter(receiving_site_id=filters.window.site_id, received_by_id__in=window_staff)
    if filters.received_by_id:
        cases = cases.filter(received_by_id=filters.received_by_id)
    return cases


def monitor_clock_filtered(cases: QuerySet[CaseModel], filters: MonitorFilters) -> QuerySet[CaseModel]:
    """Filters on the clock (the queryset carries annotate_clock and annotate_late_steps).

    A colour is also said in plain columns where it can be (overdue: the deadline is past; paused: the status),
    so the database drops the other cases before it works out any colour; late steps are one set of the open
    steps past due (their index), not a count per case."""
    if filters.colour:
        cases = cases.filter(_COLOUR_PREFILTERS.get(filters.colour, Q()), colour=filters.colour)
    if filters.has_late_steps:
        cases = cases.filter(has_late_steps=True)
    return cases


_COLOUR_PREFILTERS = {
    "red": Q(status=Status.ACCEPTED, promised_due__lt=F("clock_today"))
    | Q(status=Status.RECEIVED, acceptance_due__lt=F("clock_today")),
    "paused": Q(status__in=PAUSED_STATUSES),
    "yellow": Q(status__in=RUNNING_STATUSES),
    "green": Q(status__in=RUNNING_STATUSES),
}


def monitor_order(cases: QuerySet[CaseModel]) -> QuerySet[CaseModel]:
    """Red first, then fewest working days left; paused last.

    Ordered by the running deadline's date rather than the computed days left: ordinals grow with the date and
    deadlines are working days, so the order is the same, and the sort key is two plain columns (no calendar
    lookup per case just to sort).
    """
    deadline = CaseWhen(
        When(status=Status.ACCEPTED, then=F("promised_due")),
        When(status=Status.RECEIVED, then=F("acceptance_due")),
        default=None,
    )
    return cases.alias(running_deadline=deadline).order_by(F("running_deadline").asc(nulls_last=True), "pk")
