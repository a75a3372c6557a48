"""The alerts awaiting action, counted ahead (``AlertTally``): what the feed's counts by severity read.

The sweep raises and closes alerts with set-based statements, so it writes the tally again from the alerts awaiting
action (one grouped read of them, a few hundred rows written) in its own transaction whenever it raised or closed
any; the services that close an alert (dismiss, resolve) take it off in theirs. Both hold the sweep's lock (the
``SweepRun`` row), so the tally never misses a change made between the sweep's read and its write.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum

from .models import Alert, AlertTally, SweepRun

SWEEP_ROW = 1
KEY = ("site_id", "department_id", "level", "responsible_role")


def sweep_lock() -> SweepRun:
    """The sweep's row, locked until the caller's transaction ends (made on first use)."""
    try:
        with transaction.atomic():
            SweepRun.objects.get_or_create(pk=SWEEP_ROW)
    except IntegrityError:  # another transaction made it first
        pass
    return SweepRun.objects.select_for_update().get(pk=SWEEP_ROW)


def tally_rebuild() -> int:
    """Write the tally again from the alerts awaiting action; the caller holds ``sweep_lock()``. Returns its rows."""
    groups = (
        Alert.objects.filter(state__in=Alert.LIVE_STATES)
        .order_by()
        .values(*KEY)
        .annotate(live=Count("pk"))
        .values_list(*KEY, "live")
    )
    rows = [AlertTally(**dict(zip((*KEY, "live"), group, strict=True))) for group in groups]
    AlertTally.objects.all().delete()
    AlertTally.objects.bulk_create(rows)
    return len(rows)


def tally_take_off(alert: Alert) -> None:
    """An alert awaiting action has closed: one fewer in its group; the caller holds ``sweep_lock()``."""
    AlertTally.objects.filter(**{name: getattr(alert, name) for name in KEY}, live__gt=0).update(live=F("live") - 1)


def live_counts_by_level(scope: Q | None) -> dict[str, int]:
    """Alerts awaiting action per severity among those the scope condition (on an alert's site, department and
    responsible role) selects: a sum over the tally's rows."""
    if scope is None:
        return {}
    tallies: QuerySet[AlertTally] = AlertTally.objects.filter(scope)
    rows = tallies.order_by().values("level").annotate(count=Sum("live")).values_list("level", "count")
    return {level: count for level, count in rows if count}
