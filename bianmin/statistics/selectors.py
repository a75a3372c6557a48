"""Every statistics read that a permission limits goes through here: whose figures a user sees (one scope),
the dashboard's sums over the figure tables, and the cases behind any number (through the case selector).

Who sees what: supervisors and centre administrators the sites under their site, department heads and chief
representatives their departments' work at every site, superusers everything. Clerks and agents see no
statistics (their site ledger is their record); ``figures_scope`` returns None for them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet, Sum

from bianmin.accounts.models import User
from bianmin.cases.models import Case, Extension, Status, Suspension
from bianmin.cases.selectors import cases_visible_to
from bianmin.catalog.models import ServiceItem
from bianmin.core.dates import EndOfBeijingDay
from bianmin.org.models import Department, Role, Site
from bianmin.org.selectors import assignments_of, is_department_wide
from bianmin.supervision.models import Alert

from .figures import _month, _next_month, day_start, site_tiers
from .models import METRICS, DailyAlertFigure, DailyFigure, MonthlyFigure

SITE_ROLES = (Role.SUPERVISOR, Role.CENTRE_ADMIN)
DEPARTMENT_ROLES = (Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE)
ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class FiguresScope:
    """The sites (None: every site) or departments whose figures a user may read."""

    everything: bool
    site_ids: frozenset[int]
    department_ids: frozenset[int]

    def q(self, site_field: str = "site_id", department_field: str = "department_id") -> Q:
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        if self.site_ids:
            condition |= Q(**{f"{site_field}__in": sorted(self.site_ids)})
        if self.department_ids:
            condition |= Q(**{f"{department_field}__in": sorted(self.department_ids)})
        return condition

    @property
    def limits_sites(self) -> bool:
        """Whether the user is limited to some sites (else: every site, perhaps for some departments only)."""
        return not self.everything and bool(self.site_ids)

    @property
    def limits_departments(self) -> bool:
        return not self.everything and not self.site_ids


def figures_scope(user: User) -> FiguresScope | None:
    """Whose figures ``user`` may read; None when they may read no statistics at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return FiguresScope(True, frozenset(), frozenset())
    site_paths: set[str] = set()
    department_ids: set[int] = set()
    for assignment in assignments_of(user):
        if assignment.role in SITE_ROLES and assignment.site is not None and assignment.site.is_active:
            if assignment.site.parent_id is None:
                return FiguresScope(True, frozenset(), frozenset())
            site_paths.add(assignment.site.path)
        elif assignment.role in DEPARTMENT_ROLES and assignment.department_id and is_department_wide(assignment):
            # A town's reviewer of a department reads no county-wide figures of it.
            department_ids.add(assignment.department_id)
    if not site_paths and not department_ids:
        return None
    site_ids: set[int] = set()
    if site_paths:
        condition = Q(pk__in=[])
        for path in site_paths:
            condition |= Q(path__startswith=path)
        site_ids = set(Site.objects.filter(condition).values_list("pk", flat=True))
    return FiguresScope(False, frozenset(site_ids), frozenset(department_ids))


# --- Filters -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureFilters:
    """A period (both days included) and the optional dimensions a dashboard or a drill-down is cut by."""

    start: datetime.date
    end: datetime.date
    site: Site | None = None  # the site and every site under it
    tier: str = ""
    department_id: int | None = None
    item_id: int | None = None
    channel: str = ""

    def site_ids(self) -> list[int] | None:
        """The receiving sites the site and tier filters leave (None: no restriction)."""
        if self.site is None and not self.tier:
            return None
        sites = Site.objects.all()
        if self.site is not None:
            sites = sites.filter(path__startswith=self.site.path)
        ids = list(sites.values_list("pk", flat=True))
        if self.tier:
            tiers = site_tiers()
            ids = [pk for pk in ids if tiers.get(pk) == self.tier]
        return ids

    def q(self, site_field: str = "site_id", *, with_item: bool = True) -> Q:
        condition = Q()
        site_ids = self.site_ids()
        if site_ids is not None:
            condition &= Q(**{f"{site_field}__in": site_ids})
        if self.department_id:
            condition &= Q(department_id=self.department_id)
        if with_item and self.item_id:
            condition &= Q(item_id=self.item_id)
        if with_item and self.channel:
            condition &= Q(channel=self.channel)
        return condition


def scoped_sites(scope: FiguresScope) -> QuerySet[Site]:
    sites = Site.objects.filter(is_active=True).order_by("path")
    return sites.filter(pk__in=sorted(scope.site_ids)) if scope.limits_sites else sites


def scoped_departments(scope: FiguresScope) -> QuerySet[Department]:
    departments = Department.objects.filter(is_active=True).order_by("code")
    return departments.filter(pk__in=sorted(scope.department_ids)) if scope.limits_departments else departments


def scoped_items(scope: FiguresScope) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.order_by("code")
    if scope.limits_departments:
        items = items.filter(department_id__in=sorted(scope.department_ids))
    return items


# --- The dashboard's sums ----------------------------------------------------------------------------------------


def _figure_sources(start: datetime.date, end: datetime.date) -> list[QuerySet]:
    """The figure rows covering ``start``..``end``: whole months from the monthly roll-up, the edges by day.

    No figure exists after the last refreshed day, so a month counts as whole once the period covers it up to
    that day: "this month" and "this year" read the current month's roll-up, not its daily rows."""
    last_day = DailyFigure.objects.aggregate(last=Max("day"))["last"]
    if last_day is None or last_day < start:
        return [DailyFigure.objects.none()]
    end = min(end, last_day)
    first_full = start if start.day == 1 else _next_month(start)
    # Months before ``stop`` lie whole inside the period (the last day's month does when the period reaches it).
    stop = _next_month(_month(end)) if end == last_day or (end + ONE_DAY).day == 1 else _month(end)
    if first_full >= stop:
        return [DailyFigure.objects.filter(day__gte=start, day__lte=end)]
    sources: list[QuerySet] = [MonthlyFigure.objects.filter(month__gte=first_full, month__lt=stop)]
    if start < first_full:
        sources.append(DailyFigure.objects.filter(day__gte=start, day__lt=first_full))
    if stop <= end:
        sources.append(DailyFigure.objects.filter(day__gte=stop, day__lte=end))
    return sources


@dataclass
class Bucket:
    start: datetime.date
    end: datetime.date
    received: int = 0
    finished: int = 0


@dataclass
class DashboardFigures:
    totals: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    by_tier: dict[str, dict[str, int]]
    by_item: dict[int, dict[str, int]]
    by_department: dict[int, dict[str, int]]
    trend: list[Bucket]
    alerts: dict[tuple[str, str], int]
    open_overdue: dict[int, int] = field(default_factory=dict)


def _zero() -> dict[str, int]:
    return dict.fromkeys(METRICS, 0)


def _add(target: dict[str, int], row: dict) -> None:
    for metric in METRICS:
        target[metric] += row[metric] or 0


def _buckets(start: datetime.date, end: datetime.date, group: str) -> list[Bucket]:
    buckets = []
    cursor = start
    while cursor <= end:
        following = cursor + datetime.timedelta(days=7 - cursor.weekday()) if group == "week" else _next_month(cursor)
        buckets.append(Bucket(cursor, min(end, following - ONE_DAY)))
        cursor = following
    return buckets


def _trend(condition: Q, filters: FigureFilters, group: str) -> list[Bucket]:
    buckets = _buckets(filters.start, filters.end, group)
    starts = [bucket.start for bucket in buckets]

    def bucket_of(day: datetime.date) -> Bucket:
        index = max(i for i, start in enumerate(starts) if start <= day)
        return buckets[index]

    sums = {"received": Sum("received"), "finished": Sum("finished")}
    if group == "week":
        sources = [DailyFigure.objects.filter(day__gte=filters.start, day__lte=filters.end)]
    else:
        sources = _figure_sources(filters.start, filters.end)
    dated = []
    for source in sources:
        period = "month" if source.model is MonthlyFigure else "day"
        rows = source.filter(condition).values(period).annotate(**sums).order_by()
        dated.extend((max(row[period], filters.start), row) for row in rows)
    for day, row in dated:
        bucket = bucket_of(day)
        bucket.received += row["received"] or 0
        bucket.finished += row["finished"] or 0
    return buckets


def dashboard_figures(
    user: User, scope: FiguresScope, filters: FigureFilters, *, group: str = "month", today: datetime.date
) -> DashboardFigures:
    """Every number of the dashboard, from the figure tables (a handful of grouped queries, no case scan) plus
    the open overdue cases per department (one grouped query on the (status, promised_due) index)."""
    condition = scope.q() & filters.q()
    totals = _zero()
    by_channel: dict[str, dict[str, int]] = defaultdict(_zero)
    by_tier: dict[str, dict[str, int]] = defaultdict(_zero)
    by_item: dict[int, dict[str, int]] = defaultdict(_zero)
    by_department: dict[int, dict[str, int]] = defaultdict(_zero)
    sums = {metric: Sum(metric) for metric in METRICS}
    for source in _figure_sources(filters.start, filters.end):
        rows = source.filter(condition).values("channel", "tier", "item_id", "department_id").annotate(**sums)
        for row in rows.order_by():
            for target in (
                totals,
                by_channel[row["channel"]],
                by_tier[row["tier"]],
                by_item[row["item_id"]],
                by_department[row["department_id"]],
            ):
                _add(target, row)
    alerts = {
        (row["rule"], row["level"]): row["raised"]
        for row in DailyAlertFigure.objects.filter(
            scope.q() & filters.q(with_item=False), day__gte=filters.start, day__lte=filters.end
        )
        .values("rule", "level")
        .annotate(raised=Sum("raised"))
        .order_by()
    }
    open_overdue = {
        row["department_id"]: row["count"]
        for row in open_overdue_cases(user, scope, filters, today=today)
        .values("department_id")
        .annotate(count=Count("pk"))
        .order_by()
    }
    return DashboardFigures(
        totals=totals,
        by_channel=dict(by_channel),
        by_tier=dict(by_tier),
        by_item=dict(by_item),
        by_department=dict(by_department),
        trend=_trend(condition, filters, group),
        alerts=alerts,
        open_overdue=open_overdue,
    )


# --- The cases behind a number -------------------------------------------------------------------------------------

# The date each drill-down lists its cases by (the metric's own date column, indexed).
ORDERING = {
    "received": "received_on",
    "accepted": "accepted_on",
    "deemed_accepted": "accepted_on",
    "refused": "closed_at",
    "withdrawn": "withdrawn_at",
    "open_overdue": "promised_due",
}


def case_ordering(metric: str) -> tuple[str, str]:
    if metric.startswith("finished") or metric in ("approved", "denied"):
        return ("decided_at", "pk")
    return (ORDERING.get(metric, "received_on"), "pk")


CASE_METRICS = (
    "received",
    "accepted",
    "deemed_accepted",
    "finished",
    "approved",
    "denied",
    "finished_on_time_promised",
    "finished_late_promised",
    "finished_on_time_statutory",
    "finished_late_statutory",
    "refused",
    "withdrawn",
    "suspensions_started",
    "extensions_approved",
    "alerts",
    "open_overdue",
)


def _scoped_cases(user: User, scope: FiguresScope, filters: FigureFilters) -> QuerySet[Case]:
    return cases_visible_to(user).filter(scope.q("receiving_site_id") & filters.q("receiving_site_id"))


def open_overdue_cases(user: User, scope: FiguresScope, filters: FigureFilters, *, today: datetime.date) -> QuerySet:
    """Accepted cases past their promised deadline today (suspended ones are paused, not overdue)."""
    return _scoped_cases(user, scope, filters).filter(status=Status.ACCEPTED, promised_due__lt=today)


def _dated(cases: QuerySet[Case], filters: FigureFilters, metric: str) -> QuerySet[Case]:
    """The cases counted by a figure metric on the period's days (see ``models`` for each metric's date)."""
    start, end = filters.start, filters.end
    first, after = day_start(start), day_start(end + ONE_DAY)
    if metric == "received":
        return cases.filter(received_on__gte=start, received_on__lte=end)
    if metric in ("accepted", "deemed_accepted"):
        cases = cases.filter(accepted_on__gte=start, accepted_on__lte=end)
        return cases.filter(is_deemed_accepted=True) if metric == "deemed_accepted" else cases
    if metric == "refused":
        return cases.filter(status=Status.REFUSED, closed_at__gte=first, closed_at__lt=after)
    if metric == "withdrawn":
        # As the figures count them: only case_withdraw sets withdrawn_at, and withdrawal is final.
        return cases.filter(withdrawn_at__gte=first, withdrawn_at__lt=after)
    if metric == "suspensions_started":
        return cases.filter(
            pk__in=Suspension.objects.filter(started_on__gte=start, started_on__lte=end).values("case_id")
        )
    if metric == "extensions_approved":
        approved = Extension.objects.filter(state=Extension.State.APPROVED, decided_at__gte=first, decided_at__lt=after)
        return cases.filter(pk__in=approved.values("case_id"))
    # The period's Beijing days as a UTC range of the decision time, then the metric's condition on the rows in
    # range: every column they read is in case_decided_at_idx, so a count reads that index alone.
    return cases.filter(DECIDED[metric], decided_at__gte=first, decided_at__lt=after)


# On time: decided (Beijing date) on or before the deadline's date, i.e. before that Beijing day ends; late: after.
# Comparing the decision time with the end of the deadline's day applies no function to the decision time.
DECIDED = {
    "finished": Q(),
    # case_decide sets the certificate's due date on approval only.
    "approved": Q(certificate_due__isnull=False),
    "denied": Q(certificate_due__isnull=True),
    "finished_on_time_promised": Q(decided_at__lt=EndOfBeijingDay("promised_due")),
    "finished_late_promised": Q(decided_at__gte=EndOfBeijingDay("promised_due")),
    "finished_on_time_statutory": Q(decided_at__lt=EndOfBeijingDay("statutory_due")),
    "finished_late_statutory": Q(decided_at__gte=EndOfBeijingDay("statutory_due")),
}


def cases_behind(
    user: User,
    scope: FiguresScope,
    filters: FigureFilters,
    metric: str,
    *,
    rule: str = "",
    level: str = "",
    today: datetime.date,
) -> QuerySet[Case]:
    """The cases a dashboard number counts, limited to what the user may see (``cases_visible_to``).

    Suspensions, extensions and alerts count events: a case with two in the period is listed once."""
    if metric not in CASE_METRICS:
        return Case.objects.none()
    if metric == "open_overdue":
        return open_overdue_cases(user, scope, filters, today=today)
    if metric == "alerts":
        alerts = Alert.objects.filter(
            scope.q() & filters.q(with_item=False), raised_on__gte=filters.start, raised_on__lte=filters.end
        )
        if rule:
            alerts = alerts.filter(rule=rule)
        if level:
            alerts = alerts.filter(level=level)
        return cases_visible_to(user).filter(pk__in=alerts.exclude(case=None).values("case_id"))
    return _dated(_scoped_cases(user, scope, filters), filters, metric)


# --- Public figures (the portal's site pages and the hall screen) ------------------------------------------------


@dataclass(frozen=True)
class SiteFigures:
    """A site's public counts over some days: applications received and finished, and how many finished within the
    promised time limit. No personal data; read from the daily figures, never from the cases."""

    received: int
    finished: int
    finished_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        """The share of finished cases decided within their promised limit, in per cent (None: nothing finished)."""
        return None if not self.finished else round(100 * self.finished_on_time / self.finished, 1)


def site_figures(site_id: int, start: datetime.date, end: datetime.date) -> SiteFigures:
    """The public counts of one receiving site from ``start`` through ``end`` (Beijing dates): one query."""
    sums = DailyFigure.objects.filter(site_id=site_id, day__gte=start, day__lte=end).aggregate(
        received=Sum("received"), finished=Sum("finished"), on_time=Sum("finished_on_time_promised")
    )
    return SiteFigures(sums["received"] or 0, sums["finished"] or 0, sums["on_time"] or 0)
