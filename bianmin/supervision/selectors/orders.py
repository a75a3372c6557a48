"""Who may see which supervision orders, accountability records and personal-data views (one door each)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet

from bianmin.accounts.models import User
from bianmin.cases.models import PersonalDataView
from bianmin.cases.selectors import cases_visible_to
from bianmin.core.models import CalendarDay
from bianmin.core.workdays import workday_ordinal_expression
from bianmin.org.models import Role, Site
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import Scope, user_scope

from ..inbox import DEPARTMENT_LEADS
from ..models import AccountabilityRecord, Alert, SupervisionOrder

# The states in which an order waits for the department, and so can be overdue.
AWAITING_DEPARTMENT = (SupervisionOrder.State.ISSUED, SupervisionOrder.State.RETURNED)
OPEN_ORDER_STATES = (*AWAITING_DEPARTMENT, SupervisionOrder.State.RESPONDED)


def site_in_scope(scope: Scope, site: Site) -> bool:
    """``Scope.site_filter`` for one site already in memory: no query."""
    return scope.covers_site(site)


def supervisor_home_site(user: User) -> Site | None:
    """The top of a supervisor's jurisdiction: the highest site of their supervisor roles (the root for superusers).

    Orders on a whole department and accountability records without a site of their own are filed here.
    """
    sites = sorted(user_scope(user).sites_of(Role.SUPERVISOR), key=lambda site: site.path)
    if sites:
        return sites[0]
    if user.is_superuser:
        return Site.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def led_department_ids(user: User) -> set[int]:
    """The departments the user answers for as head or chief representative (active assignments)."""
    return set(user_scope(user).departments_of(*DEPARTMENT_LEADS))


def alerts_in_scope(user: User) -> QuerySet[Alert]:
    """Alerts a supervisor may put an order or a record on: those at a site in their jurisdiction."""
    if not is_supervisor(user):
        return Alert.objects.none()
    return Alert.objects.filter(user_scope(user).site_filter("site__"))


# --- Orders ------------------------------------------------------------------------------------------------------


def orders_visible_to(user: User) -> QuerySet[SupervisionOrder]:
    """Supervisors: orders at the sites of their jurisdiction; department heads and chief representatives: their
    departments' orders; everybody else: none."""
    scope = user_scope(user)
    # Joined: the reference rows; fetched for the page: what the order concerns (alerts.py says why).
    orders = SupervisionOrder.objects.select_related("department", "site", "issued_by").prefetch_related(
        "case", "alert", "window__site"
    )
    condition = Q(pk__in=[])
    if is_supervisor(user):
        if scope.everything:  # an empty Q would vanish from the OR below
            return orders
        condition |= scope.site_filter("site__")
    if scope.roles & set(DEPARTMENT_LEADS) and scope.department_ids:
        condition |= Q(department_id__in=sorted(led_department_ids(user)))
    return orders.filter(condition)


def order_get_for_user(user: User, pk: int) -> SupervisionOrder | None:
    return orders_visible_to(user).filter(pk=pk).first()


def _today_ordinal(today: datetime.date) -> int:
    return CalendarDay.objects.filter(date=today).values_list("ordinal", flat=True).first() or 0


def orders_with_days_left(orders: QuerySet[SupervisionOrder], today: datetime.date) -> QuerySet[SupervisionOrder]:
    """Working days left to each order's due date (negative: overdue), computed in SQL for the whole list."""
    return orders.annotate(days_left=workday_ordinal_expression("due") - _today_ordinal(today))


def overdue_condition(today: datetime.date) -> Q:
    """The sweep's ``order_overdue`` rule as a filter: waiting for the department and past its due date."""
    return Q(state__in=AWAITING_DEPARTMENT, due__lt=today)


def order_counts(orders: QuerySet[SupervisionOrder], today: datetime.date) -> dict[str, int]:
    """Orders per state, and overdue ones, in one aggregate query."""
    aggregates = {state: Count("pk", filter=Q(state=state)) for state in SupervisionOrder.State.values}
    aggregates["overdue"] = Count("pk", filter=overdue_condition(today))
    aggregates["all"] = Count("pk")
    return orders.order_by().aggregate(**aggregates)


# --- Accountability ----------------------------------------------------------------------------------------------


def accountability_visible_to(user: User) -> QuerySet[AccountabilityRecord]:
    """Supervisors: records at the sites of their jurisdiction; heads and chief representatives: their
    departments' records; everyone: the records about themselves."""
    if not user.is_authenticated:
        return AccountabilityRecord.objects.none()
    scope = user_scope(user)
    records = AccountabilityRecord.objects.select_related("person", "department", "site", "recorded_by")
    if is_supervisor(user) and scope.everything:  # an empty Q would vanish from the OR below
        return records
    condition = Q(person=user)
    if is_supervisor(user):
        condition |= scope.site_filter("site__")
    if scope.roles & set(DEPARTMENT_LEADS) and scope.department_ids:
        condition |= Q(department_id__in=sorted(led_department_ids(user)))
    return records.filter(condition)


def accountability_filtered(
    records: QuerySet[AccountabilityRecord],
    *,
    department_code: str | None = None,
    measure: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[AccountabilityRecord]:
    """The accountability list's filters (the page's and the API's), latest decision first."""
    if department_code:
        records = records.filter(department__code=department_code)
    if measure:
        records = records.filter(measure=measure)
    if start is not None:
        records = records.filter(decided_on__gte=start)
    if end is not None:
        records = records.filter(decided_on__lte=end)
    return records.order_by("-decided_on", "-pk")


def accountability_get_for_user(user: User, pk: int) -> AccountabilityRecord | None:
    return accountability_visible_to(user).filter(pk=pk).first()


def accountability_for(
    *,
    department=None,
    person=None,
    site=None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[AccountabilityRecord]:
    """Records in force (not annulled) decided between ``start`` and ``end`` (both included), for assessment.

    ``site`` matches the record's own site only (not its subtree): a town's records, not its villages'.
    """
    records = AccountabilityRecord.objects.filter(annulled_at__isnull=True)
    if department is not None:
        records = records.filter(department=department)
    if person is not None:
        records = records.filter(person=person)
    if site is not None:
        records = records.filter(site=site)
    if start is not None:
        records = records.filter(decided_on__gte=start)
    if end is not None:
        records = records.filter(decided_on__lte=end)
    return records


# --- Personal-data views -----------------------------------------------------------------------------------------


def data_views_visible_to(user: User) -> QuerySet[PersonalDataView]:
    """Supervisors: the recorded views of cases in their jurisdiction; nobody else."""
    if not is_supervisor(user):
        return PersonalDataView.objects.none()
    views = PersonalDataView.objects.select_related("viewer", "case")
    if user_scope(user).everything:
        return views
    return views.filter(case__in=cases_visible_to(user).values("pk"))
