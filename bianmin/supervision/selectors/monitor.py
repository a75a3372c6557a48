"""The live monitor (实时监控): every open case with its clock.

The colour is ``cases.clock``'s one definition. Everything is read from the cases' access rows
(cases/access.py), which copy the clock columns: the colour counts are one GROUP BY over an index, and a page
is the first rows of an index in the monitor's order; only the page's cases are then read, with their clocks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce

from bianmin.accounts.models import User
from bianmin.cases.access import EVERYTHING, department_key, scope_keys, status_counts, subtree_key
from bianmin.cases.clock import COLOURS, PAUSED_STATUSES, RUNNING_STATUSES, today_ordinal
from bianmin.cases.models import OPEN_STATUSES, UNKNOWN_YELLOW, CaseAccess, CaseClockCount, ReviewTask, Status
from bianmin.cases.models import Case as CaseModel
from bianmin.cases.selectors import case_access_for
from bianmin.org.models import Department, Role, Site, Window
from bianmin.org.selectors import user_scope, window_staff_ids

__all__ = ["COLOURS"]

MONITOR_ROLES = frozenset({Role.SUPERVISOR, Role.CENTRE_ADMIN})
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE})


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


def colour_counts(watched: Watched, today: datetime.date, ordinal: int | bool | None = False) -> dict[str, int]:
    """How many of the watched cases have each colour, "unknown" included (a date outside the calendar).

    The cases per status come from the counters when they can say (else one GROUP BY over the rows); red and
    yellow are then ranges of the rows' indexes (the running deadline is past; the first yellow day has come), and
    green is what is left of the running clocks."""
    ordinal = today_ordinal(today) if ordinal is False else ordinal
    rows = watched.rows
    if watched.counted is not None:
        keys, is_current = watched.counted
        totals = status_counts(keys, is_current=is_current)
    else:
        totals = dict(rows.order_by().values("status").annotate(count=Count("pk")).values_list("status", "count"))
    running_total = sum(totals.get(status, 0) for status in RUNNING_STATUSES)
    counts = dict.fromkeys((*COLOURS, "unknown"), 0)
    counts["paused"] = sum(totals.get(status, 0) for status in PAUSED_STATUSES)
    counts.update(_running_colour_counts(watched, today, ordinal))
    if ordinal is None:
        counts["unknown"] = running_total - counts["red"]
        return counts
    counts["green"] = running_total - counts["red"] - counts["yellow"] - counts["unknown"]
    return counts


def _running_colour_counts(watched: Watched, today: datetime.date, ordinal: int | None) -> dict[str, int]:
    """Red, yellow and unknown among the running clocks (yellow and unknown only when today is in the calendar):
    from the clock counts when the counters can say (a sum over a few hundred rows per key), else over the rows'
    indexes (red a range of the running deadline, yellow one of the first yellow day)."""
    not_red = Q(sort_due__gte=today)
    if watched.counted is not None:
        keys, is_current = watched.counted
        histogram = CaseClockCount.objects.filter(key__in=keys)
        if is_current is not None:
            histogram = histogram.filter(is_current=is_current)
        sums = {"red": Sum("cases", filter=Q(sort_due__lt=today))}
        if ordinal is not None:
            sums["yellow"] = Sum("cases", filter=not_red & Q(yellow_ordinal__lte=ordinal))
            sums["unknown"] = Sum("cases", filter=not_red & Q(yellow_ordinal=UNKNOWN_YELLOW))
        return {colour: total or 0 for colour, total in histogram.aggregate(**sums).items()}
    running = watched.rows.filter(status__in=RUNNING_STATUSES)
    counts = {"red": running.filter(sort_due__lt=today).count()}
    if ordinal is not None:
        counts["yellow"] = running.filter(not_red, yellow_ordinal__lte=ordinal).count()
        counts["unknown"] = running.filter(not_red, yellow_ordinal__isnull=True).count()
    return counts


# --- Who sees which cases ------------------------------------------------------------------------------------------


def can_monitor(user: User | None) -> bool:
    """Supervisors and centre administrators (their jurisdiction), department heads and chief
    representatives (their department's cases)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user_scope(user).roles & (MONITOR_ROLES | DEPARTMENT_ROLES))


def _monitored_departments(user: User) -> list[int]:
    return sorted(user_scope(user).departments_of(*DEPARTMENT_ROLES))


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


@dataclass(frozen=True)
class Watched:
    """The access rows of the open cases on a monitor, and, when the counters can say how many there are in each
    status, the keys to read (``counted``: keys, and whether only the rows where the key is where the case is
    handled now)."""

    rows: QuerySet[CaseAccess]
    counted: tuple[list[int], bool | None] | None = None


def _watched(user: User) -> tuple[QuerySet[CaseAccess], bool, tuple[list[int], bool | None] | None]:
    """The access rows of the cases the user watches (open or not), whether that is the whole county, and the
    counters that count them."""
    scope = user_scope(user)
    if user.is_superuser or scope.roles & MONITOR_ROLES:
        keys = scope_keys(scope)
        return case_access_for(user), user.is_superuser or scope.everything, (keys, None) if len(keys) == 1 else None
    # A department head or chief representative: their own departments' cases.
    keys = [department_key(pk) for pk in _monitored_departments(user)]
    return CaseAccess.objects.filter(key__in=keys, is_current=True), False, (keys, True)


def _has_case_filters(filters: MonitorFilters) -> bool:
    return bool(filters.level or filters.item_id or filters.window or filters.received_by_id or filters.has_late_steps)


def monitor_rows(user: User, filters: MonitorFilters, today: datetime.date | None = None) -> Watched:
    """The access rows of the open cases on the user's monitor under the filters that need no clock.

    A site or department filter reads that site's (subtree) or department's own key when it narrows the view;
    filters on columns the rows do not copy (level, item, window, staff) look at the case.
    The case does not record its window. A window's cases are those received at its site by staff assigned to
    it: the general window (一窗受理) receives every department's applications, so the window's departments would
    attribute them to the wrong window.
    """
    if not can_monitor(user):
        return Watched(CaseAccess.objects.none(), ([], None))
    watched, is_whole_county, counted = _watched(user)
    rows = watched
    if filters.site is not None or (filters.department is not None and is_whole_county):
        if filters.site is not None:
            key = subtree_key(filters.site.pk) if filters.site.parent_id else EVERYTHING
        else:
            key = department_key(filters.department.pk)
        rows = CaseAccess.objects.filter(key=key, is_current=True)
        counted = ([key], True)
        if not is_whole_county:
            rows = rows.filter(Exists(watched.filter(case_id=OuterRef("case_id"))))
            counted = None
        if filters.site is not None and filters.department is not None:
            rows = rows.filter(case__department=filters.department)
            counted = None
    elif filters.department is not None:
        rows = rows.filter(case__department=filters.department)
        counted = None
    if _has_case_filters(filters):
        counted = None
    return Watched(_case_filtered(rows.filter(status__in=OPEN_STATUSES), filters, today), counted)


def _case_filtered(rows: QuerySet[CaseAccess], filters: MonitorFilters, today: datetime.date | None):
    """The filters on what the rows do not copy: they look at each case."""
    if filters.level:
        rows = rows.filter(case__current_site__level=filters.level)
    if filters.item_id:
        rows = rows.filter(case__item_id=filters.item_id)
    if filters.window is not None:
        window_staff = window_staff_ids(filters.window)
        rows = rows.filter(case__receiving_site_id=filters.window.site_id, case__received_by_id__in=window_staff)
    if filters.received_by_id:
        rows = rows.filter(case__received_by_id=filters.received_by_id)
    if filters.has_late_steps and today is not None:
        late = ReviewTask.objects.filter(state=ReviewTask.State.OPEN, due__lt=today).values("case_id")
        rows = rows.filter(status=Status.ACCEPTED, case_id__in=late)
    return rows


def open_cases_monitored_by(user: User) -> QuerySet[CaseModel]:
    """The open cases on the user's monitor (for the statistics and the tests): read through the access rows."""
    rows = monitor_rows(user, MonitorFilters()).rows
    return CaseModel.objects.filter(pk__in=rows.values("case_id"))


def monitor_colour_filtered(
    rows: QuerySet[CaseAccess], colour: str, today: datetime.date, ordinal: int | None
) -> QuerySet[CaseAccess]:
    """The rows of one colour (``ordinal``: today's), in the columns the rows copy: red and paused are ranges of
    the index."""
    if not colour:
        return rows
    running = Q(status__in=RUNNING_STATUSES)
    if colour == "red":
        return rows.filter(running, sort_due__lt=today)
    if colour == "paused":
        return rows.filter(status__in=PAUSED_STATUSES)
    if ordinal is None:
        return rows.filter(running, sort_due__gte=today) if colour == "unknown" else rows.none()
    if colour == "yellow":
        return rows.filter(running, sort_due__gte=today, yellow_ordinal__lte=ordinal)
    if colour == "green":
        return rows.filter(running, sort_due__gte=today, yellow_ordinal__gt=ordinal)
    if colour == "unknown":
        return rows.filter(running, sort_due__gte=today, yellow_ordinal__isnull=True)
    return rows.none()


def monitor_order(rows: QuerySet[CaseAccess]) -> QuerySet[CaseAccess]:
    """Red first, then the nearest running deadline (deadlines are working days, so the order of the dates is
    the order of the working days left); paused last; then the newest. The order of the queue index, which holds
    the open cases (``is_work``)."""
    return rows.filter(is_work=True).order_by("sort_due", "-received_at", "-case_id")
