"""Who may see which alerts, and the staff inbox (one door each).

Supervisors see the alerts at the sites of their jurisdiction (the subtree of their site); department heads and
chief representatives see their departments' alerts wherever they arose, a town's reviewer (a department role held at
a town hall) those of their departments at their town; centre administrators see the alerts
addressed to them (a hall without a cadre on duty) at the sites of their subtree; nobody else sees alerts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from bianmin.accounts.models import User
from bianmin.cases.models import Case, ReviewTask
from bianmin.org.models import Role
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from ..inbox import DEPARTMENT_LEADS
from ..models import Alert, InboxMessage, SupervisionOrder, SweepRun


def _leads_departments(user: User) -> bool:
    scope = user_scope(user)
    return bool(scope.department_ids and scope.roles & set(DEPARTMENT_LEADS))


def _reviewed(user: User) -> Q | None:
    """A town's reviewer: their departments' alerts at their town (where the inbox told them of them)."""
    scope = user_scope(user)
    condition = None
    for assignment in scope.assignments:
        if assignment.role in DEPARTMENT_LEADS and assignment.site_id in scope.review_site_ids:
            pair = Q(site_id=assignment.site_id, department_id=assignment.department_id)
            condition = pair if condition is None else condition | pair
    return condition


def sees_alerts(user: User) -> bool:
    return is_supervisor(user) or _leads_departments(user) or _reviewed(user) is not None


def alert_scope(user: User) -> Q | None:
    """The condition on an alert's site, department and responsible role that selects the alerts the user sees
    (None: none); it applies as well to the alerts counted ahead (``AlertTally``)."""
    scope = user_scope(user)
    condition = None
    if is_supervisor(user):
        condition = scope.site_filter("site__")
    if _leads_departments(user):
        departments = Q(department_id__in=sorted(scope.department_ids))
        condition = departments if condition is None else condition | departments
    reviewed = _reviewed(user)
    if reviewed is not None:
        condition = reviewed if condition is None else condition | reviewed
    if Role.CENTRE_ADMIN in scope.roles and not scope.everything:  # (everything: already all, Q() | x would be x)
        addressed = Q(responsible_role=Role.CENTRE_ADMIN) & scope.site_filter("site__")
        condition = addressed if condition is None else condition | addressed
    return condition


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    condition = alert_scope(user)
    if condition is None:
        return Alert.objects.none()
    # The reference rows are joined; what an alert may or may not concern (its case, review step, order, the person
    # who closed it) is fetched for the page in a query each: PostgreSQL plans an eight-table join in about 20 ms,
    # twenty times the time it takes to run (docs/PERFORMANCE.md).
    return (
        Alert.objects.filter(condition)
        .select_related("site", "department", "item")
        .prefetch_related(
            # Only what the lists and pages show of them: a case's row is wide, and a page builds 50.
            Prefetch("case", queryset=Case.objects.only("pk", "tracking_number")),
            Prefetch("task", queryset=ReviewTask.objects.only("pk", "name")),
            Prefetch("order", queryset=SupervisionOrder.objects.only("pk", "number")),
            "closed_by",
        )
    )


def alert_get_for_user(user: User, pk: int) -> Alert | None:
    """One alert, or None when it does not exist or is outside the user's sight (callers answer 404)."""
    return alerts_visible_to(user).filter(pk=pk).first()


@dataclass(frozen=True)
class AlertFilters:
    state: str = ""  # "live" (pending or open), one of Alert.State, or "" for all
    rule: str = ""
    level: str = ""
    site_id: int | None = None
    department_id: int | None = None
    raised_from: datetime.date | None = None
    raised_to: datetime.date | None = None


def alerts_filtered(alerts: QuerySet[Alert], filters: AlertFilters) -> QuerySet[Alert]:
    if filters.state == "live":
        alerts = alerts.filter(state__in_constants=Alert.LIVE_STATES)
    elif filters.state:
        alerts = alerts.filter(state=filters.state)
    if filters.rule:
        alerts = alerts.filter(rule=filters.rule)
    if filters.level:
        alerts = alerts.filter(level=filters.level)
    if filters.site_id:
        alerts = alerts.filter(site_id=filters.site_id)
    if filters.department_id:
        alerts = alerts.filter(department_id=filters.department_id)
    if filters.raised_from:
        alerts = alerts.filter(raised_on__gte=filters.raised_from)
    if filters.raised_to:
        alerts = alerts.filter(raised_on__lte=filters.raised_to)
    return alerts


def inbox_of(user: User) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(recipient=user).select_related("alert", "order")


def last_sweep() -> SweepRun | None:
    return SweepRun.objects.filter(finished_at__isnull=False).first()
