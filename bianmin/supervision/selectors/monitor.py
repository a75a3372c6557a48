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
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce

from bianmin.accounts.models import User
from bianmin.cases.access import EVERYTHING, department_key, subtree_key
from bianmin.cases.clock import COLOURS, PAUSED_STATUSES, RUNNING_STATUSES, colour_expression, today_ordinal
from bianmin.cases.models import OPEN_STATUSES, CaseAccess, ReviewTask, Status
from bianmin.cases.models import Case as CaseModel
from bianmin.cases.selectors import case_access_for
from bianmin.org.models import Department, Role, RoleAssignment, Site, Window
from bianmin.org.selectors import user_scope

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


def colour_counts(
    rows: QuerySet[CaseAccess], today: datetime.date, ordinal: int | bool | None = False
) -> dict[str, int]:
    """How many of the cases (their access rows) have each colour, "unknown" included (a date outside the
    calendar): one GROUP BY over the columns the rows copy, read from their index."""
    counts = dict.fromkeys((*COLOURS, "unknown"), 0)
    colour = colour_expression(today, today_ordinal(today) if ordinal is False else ordinal, due="sort_due")
    for row in rows.order_by().annotate(colour=colour).values("colour").annotate(count=Count("pk")):
        counts[row["colour"]] += row["count"]
    return counts


# --- Who sees which cases ------------------------------------------------------------------------------------------


def can_monitor(user: User | None) -> bool:
    """Supervisors and centre administrators (their jurisdiction), department heads and chief
    representatives (their department's cases)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user_scope(user).roles & (MONITOR_ROLES | DEPARTMENT_ROLES))


def _monitored_departments(user: User) -> list[int]:
    return sorted(
        RoleAssignment.objects.filter(
            user=user, is_active=True, role__in=DEPARTMENT_ROLES, department__isnull=False
        ).values_list("department_id", flat=True)
    )


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


def _watched(user: User) -> tuple[QuerySet[CaseAccess], bool]:
    """The access rows of the cases the user watches (open or not), and whether that is the whole county."""
    if user.is_superuser or user_scope(user).roles & MONITOR_ROLES:
        rows = case_access_for(user)
        return rows, user.is_superuser or user_scope(user).everything
    # A department head or chief representative: their own departments' cases.
    keys = [department_key(pk) for pk in _monitored_departments(user)]
    return CaseAccess.objects.filter(key__in=keys, is_current=True), False


def monitor_rows(user: User, filters: MonitorFilters, today: datetime.date | None = None) -> QuerySet[CaseAccess]:
    """The access rows of the open cases on the user's monitor under the filters that need no clock.

    A site or department filter reads that site's (subtree) or department's own key when it narrows the view;
    filters on columns the rows do not copy (level, item, window, staff) look at the case.
    The case does not record its window. A window's cases are those received at its site by staff assigned to
    it: the general window (一窗受理) receives every department's applications, so the window's departments would
    attribute them to the wrong window.
    """
    if not can_monitor(user):
        return CaseAccess.objects.none()
    watched, is_whole_county = _watched(user)
    rows = watched
    if filters.site is not None or (filters.department is not None and is_whole_county):
        if filters.site is not None:
            key = subtree_key(filters.site.pk) if filters.site.parent_id else EVERYTHING
        else:
            key = department_key(filters.department.pk)
        rows = CaseAccess.objects.filter(key=key, is_current=True)
        if not is_whole_county:
            rows = rows.filter(Exists(watched.filter(case_id=OuterRef("case_id"))))
        if filters.site is not None and filters.department is not None:
            rows = rows.filter(case__department=filters.department)
    elif filters.department is not None:
        rows = rows.filter(case__department=filters.department)
    return _case_filtered(rows.filter(is_work=True, status__in=OPEN_STATUSES), filters, today)


def _case_filtered(rows: QuerySet[CaseAccess], filters: MonitorFilters, today: datetime.date | None):
    """The filters on what the rows do not copy: they look at each case."""
    if filters.level:
        rows = rows.filter(case__current_site__level=filters.level)
    if filters.item_id:
        rows = rows.filter(case__item_id=filters.item_id)
    if filters.window is not None:
        window_staff = RoleAssignment.objects.filter(window=filters.window, is_active=True).values("user_id")
        rows = rows.filter(case__receiving_site_id=filters.window.site_id, case__received_by_id__in=window_staff)
    if filters.received_by_id:
        rows = rows.filter(case__received_by_id=filters.received_by_id)
    if filters.has_late_steps and today is not None:
        late = ReviewTask.objects.filter(state=ReviewTask.State.OPEN, due__lt=today).values("case_id")
        rows = rows.filter(status=Status.ACCEPTED, case_id__in=late)
    return rows


def open_cases_monitored_by(user: User) -> QuerySet[CaseModel]:
    """The open cases on the user's monitor (for the statistics and the tests): read through the access rows."""
    rows = monitor_rows(user, MonitorFilters())
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
    the order of the working days left); paused last; then the newest. The order of the rows' index."""
    return rows.order_by("sort_due", "-received_at", "-case_id")
