"""Computing the figures: a day's DailyFigure rows from the cases, set-based, and their monthly roll-up.

Each metric family is one grouped query over the cases of a run of consecutive days (``GROUP BY`` day,
receiving site, item, channel, department), on indexed date columns; the few hundred aggregate rows per day are
merged and written with ``bulk_create`` after the days' old rows are deleted, in one transaction. Running it
twice gives the same rows. No Python loop over cases: the loops below run over aggregate rows.

Which days a periodic refresh recomputes: today and yesterday (Beijing time), plus every day named by a case
moved since the last refresh (read from the audit chain after the recorded sequence: its receipt, acceptance,
decision and closing dates, since acceptance by law is dated back to the receipt) and every day an alert
raised since the last refresh is dated. ``statistics rebuild`` recomputes any range, a month per transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from bianmin.cases.models import Case, Extension, Status, Suspension
from bianmin.core.dates import SHANGHAI, BeijingDate
from bianmin.core.models import AuditEvent
from bianmin.core.workdays import workday_ordinal_expression
from bianmin.org.models import Site, SiteLevel
from bianmin.supervision.models import Alert

from .models import METRICS, DailyAlertFigure, DailyFigure, MonthlyFigure, RefreshState, Tier

CASE_OBJECT_TYPE = Case._meta.label_lower
DIMENSIONS = ("site_id", "item_id", "channel", "department_id")


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(SHANGHAI).date()


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of a Beijing day (a datetime column is compared to these, so its index is used)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)


def site_tiers() -> dict[int, str]:
    """Each site's tier: its level, except that a county-level branch centre is a tier of its own."""
    tiers = {}
    for pk, level, kind in Site.objects.values_list("pk", "level", "kind"):
        tiers[pk] = Tier.BRANCH if level == SiteLevel.COUNTY and kind == Site.Kind.BRANCH else level
    return tiers


def _local_day(field: str) -> BeijingDate:
    """The Beijing-time date of a datetime column, in the database's own date functions (no per-row Python)."""
    return BeijingDate(field)


def _grouped(queryset: QuerySet, day: object, prefix: str = "", **aggregates) -> QuerySet:
    """``queryset`` grouped by its day expression and the four dimensions, with ``aggregates``."""
    dimensions = {
        "site_id": F(f"{prefix}receiving_site_id"),
        "item_id": F(f"{prefix}item_id"),
        "channel": F(f"{prefix}channel"),
        "department_id": F(f"{prefix}department_id"),
    }
    return (
        queryset.annotate(figure_day=day, **{f"d_{name}": value for name, value in dimensions.items()})
        .values("figure_day", *(f"d_{name}" for name in dimensions))
        .annotate(**aggregates)
        .order_by()
    )


def _metric_rows(first: datetime.date, last: datetime.date) -> Iterable[dict]:
    """Every metric family's aggregate rows for the days ``first``..``last`` (one query each)."""
    start, end = day_start(first), day_start(last + datetime.timedelta(days=1))
    cases = Case.objects.exclude(status=Status.DRAFT)
    yield from _grouped(
        cases.filter(received_on__gte=first, received_on__lte=last), F("received_on"), received=Count("pk")
    )
    yield from _grouped(
        cases.filter(accepted_on__gte=first, accepted_on__lte=last),
        F("accepted_on"),
        accepted=Count("pk"),
        deemed_accepted=Count("pk", filter=Q(is_deemed_accepted=True)),
    )
    decided = cases.filter(decided_at__gte=start, decided_at__lt=end).annotate(decided_on=_local_day("decided_at"))
    yield from _grouped(
        decided.annotate(
            days_used=workday_ordinal_expression("decided_at", is_datetime=True)
            - workday_ordinal_expression("accepted_on")
            - F("suspended_days"),
            days_promised=F("version__promised_days") + F("extension_days"),
        ),
        F("decided_on"),
        finished=Count("pk"),
        # case_decide sets the certificate's due date on approval only.
        approved=Count("pk", filter=Q(certificate_due__isnull=False)),
        denied=Count("pk", filter=Q(certificate_due__isnull=True)),
        finished_on_time_promised=Count("pk", filter=Q(decided_on__lte=F("promised_due"))),
        finished_on_time_statutory=Count("pk", filter=Q(decided_on__lte=F("statutory_due"))),
        working_days_used=Sum("days_used"),
        working_days_promised=Sum("days_promised"),
    )
    yield from _grouped(
        cases.filter(status=Status.REFUSED, closed_at__gte=start, closed_at__lt=end),
        _local_day("closed_at"),
        refused=Count("pk"),
    )
    yield from _grouped(
        # Only case_withdraw sets withdrawn_at, and withdrawal is final: the date's index finds them.
        cases.filter(withdrawn_at__gte=start, withdrawn_at__lt=end),
        _local_day("withdrawn_at"),
        withdrawn=Count("pk"),
    )
    yield from _grouped(
        Suspension.objects.filter(started_on__gte=first, started_on__lte=last),
        F("started_on"),
        "case__",
        suspensions_started=Count("pk"),
    )
    yield from _grouped(
        Extension.objects.filter(state=Extension.State.APPROVED, decided_at__gte=start, decided_at__lt=end),
        _local_day("decided_at"),
        "case__",
        extensions_approved=Count("pk"),
    )


DAILY_COLUMNS = ("day", *DIMENSIONS, "tier", *METRICS)


def _daily_rows(first: datetime.date, last: datetime.date, tiers: dict[int, str]) -> list[tuple]:
    """The days' DailyFigure rows as tuples in DAILY_COLUMNS order: the metric families merged per key."""
    merged: dict[tuple, dict[str, int]] = {}
    for row in _metric_rows(first, last):
        key = (row["figure_day"], *(row[f"d_{name}"] for name in DIMENSIONS))
        counts = merged.setdefault(key, dict.fromkeys(METRICS, 0))
        for metric in METRICS:
            if row.get(metric) is not None:
                counts[metric] = row[metric]
    return [(*key, tiers[key[1]], *counts.values()) for key, counts in merged.items()]


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> int:
    """Plain multi-row INSERT: the rows are aggregates already, the ORM's per-instance work would only cost."""
    if not rows:
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(column).column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)
    return len(rows)


def _alert_rows(first: datetime.date, last: datetime.date, tiers: dict[int, str]) -> list[DailyAlertFigure]:
    rows = (
        Alert.objects.filter(raised_on__gte=first, raised_on__lte=last)
        .values("raised_on", "site_id", "department_id", "rule", "level")
        .annotate(raised=Count("pk"))
        .order_by()
    )
    return [
        DailyAlertFigure(
            day=row["raised_on"],
            site_id=row["site_id"],
            tier=tiers[row["site_id"]],
            department_id=row["department_id"],
            rule=row["rule"],
            level=row["level"],
            raised=row["raised"],
        )
        for row in rows
    ]


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _roll_up(month: datetime.date) -> None:
    """Rewrite one month's MonthlyFigure rows as the sums of its DailyFigure rows: one INSERT … SELECT."""
    MonthlyFigure.objects.filter(month=month).delete()
    quote = connection.ops.quote_name
    keys = ("site_id", "item_id", "channel", "department_id", "tier")
    columns = ", ".join(quote(column) for column in (*keys, *METRICS))
    sums = ", ".join(f"SUM({quote(metric)})" for metric in METRICS)
    grouped = ", ".join(quote(key) for key in keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(MonthlyFigure._meta.db_table)} ({quote('month')}, {columns}) "
            f"SELECT %s, {grouped}, {sums} FROM {quote(DailyFigure._meta.db_table)} "
            f"WHERE {quote('day')} >= %s AND {quote('day')} < %s GROUP BY {grouped}",
            [month, month, _next_month(month)],
        )


def _runs(days: Iterable[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[list[datetime.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == datetime.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


@dataclass(frozen=True)
class RefreshResult:
    days: int
    daily_rows: int
    alert_rows: int
    months: int

    def as_dict(self) -> dict:
        return {"days": self.days, "daily_rows": self.daily_rows, "alert_rows": self.alert_rows, "months": self.months}


def figures_recompute(days: Iterable[datetime.date]) -> RefreshResult:
    """Recompute exactly these days (and roll up their months), in one transaction; idempotent."""
    days = sorted(set(days))
    tiers = site_tiers()
    daily = alerts = 0
    with transaction.atomic():
        for first, last in _runs(days):
            DailyFigure.objects.filter(day__gte=first, day__lte=last).delete()
            DailyAlertFigure.objects.filter(day__gte=first, day__lte=last).delete()
            daily += _insert(DailyFigure, DAILY_COLUMNS, _daily_rows(first, last, tiers))
            alerts += len(DailyAlertFigure.objects.bulk_create(_alert_rows(first, last, tiers), batch_size=2000))
        months = sorted({_month(day) for day in days})
        for month in months:
            _roll_up(month)
    return RefreshResult(len(days), daily, alerts, len(months))


def _state() -> RefreshState:
    state = RefreshState.objects.select_for_update().filter(pk=1).first()
    return state or RefreshState.objects.create(pk=1)


def _days_touched(audit_after: int, audit_upto: int, alert_after: int, alert_upto: int) -> set[datetime.date]:
    """The dates of cases moved (audit events in the window) and of alerts raised (ids in the window)."""
    events = AuditEvent.objects.filter(sequence__gt=audit_after, sequence__lte=audit_upto, object_type=CASE_OBJECT_TYPE)
    days: set[datetime.date] = set(
        events.annotate(on=_local_day("occurred_at")).values_list("on", flat=True).distinct()
    )
    cases = Case.objects.filter(pk__in=events.annotate(case_id=Cast("object_id", BigIntegerField())).values("case_id"))
    for column in ("received_on", "accepted_on"):
        days.update(cases.values_list(column, flat=True).distinct())
    for column in ("decided_at", "closed_at", "withdrawn_at"):
        days.update(cases.annotate(on=_local_day(column)).values_list("on", flat=True).distinct())
    days.update(
        Alert.objects.filter(pk__gt=alert_after, pk__lte=alert_upto).values_list("raised_on", flat=True).distinct()
    )
    days.discard(None)
    return days


def figures_refresh(*, days: list[datetime.date] | None = None, now: datetime.datetime | None = None) -> dict:
    """The worker's periodic refresh: ``days`` if given, else today and yesterday plus every day touched since the
    last refresh. Records the refresh time shown on the dashboard."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state()
        audit_upto = AuditEvent.objects.aggregate(top=Max("sequence"))["top"] or 0
        alert_upto = Alert.objects.aggregate(top=Max("pk"))["top"] or 0
        if days is None:
            today = local_date(now)
            wanted = {today, today - datetime.timedelta(days=1)}
            wanted |= _days_touched(state.audit_sequence, audit_upto, state.alert_id, alert_upto)
        else:
            wanted = set(days)
        result = figures_recompute(wanted)
        state.refreshed_at = now
        state.audit_sequence = max(state.audit_sequence, audit_upto)
        state.alert_id = max(state.alert_id, alert_upto)
        state.save()
    return result.as_dict()


def figures_rebuild(
    *, first: datetime.date | None = None, last: datetime.date | None = None, now: datetime.datetime | None = None
) -> dict:
    """Recompute every day from ``first`` to ``last`` (default: the first receipt to today), a month per
    transaction, then mark the refresh state so the periodic refresh continues from here."""
    now = now or timezone.now()
    audit_upto = AuditEvent.objects.aggregate(top=Max("sequence"))["top"] or 0
    alert_upto = Alert.objects.aggregate(top=Max("pk"))["top"] or 0
    if first is None:
        earliest = Case.objects.exclude(received_on=None).order_by("received_on").values_list("received_on", flat=True)
        first = earliest.first() or local_date(now)
    last = last or local_date(now)
    totals = {"days": 0, "daily_rows": 0, "alert_rows": 0, "months": 0}
    month = _month(first)
    while month <= last:
        batch_first = max(first, month)
        batch_last = min(last, _next_month(month) - datetime.timedelta(days=1))
        days = [batch_first + datetime.timedelta(days=n) for n in range((batch_last - batch_first).days + 1)]
        for key, value in figures_recompute(days).as_dict().items():
            totals[key] += value
        month = _next_month(month)
    with transaction.atomic():
        state = _state()
        state.refreshed_at = now
        state.audit_sequence = max(state.audit_sequence, audit_upto)
        state.alert_id = max(state.alert_id, alert_upto)
        state.save()
    return totals


def last_refreshed_at() -> datetime.datetime | None:
    return RefreshState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
