"""Reads of the duty roster: a site's week for its administrator, and who is on duty today (public)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When

from bianmin.accounts.models import User
from bianmin.org.models import Role, Site

from .models import DutyShift, DutySwap, Period

PERIOD_ORDER = Case(
    When(period=Period.MORNING, then=Value(0)),
    When(period=Period.DAY, then=Value(1)),
    When(period=Period.AFTERNOON, then=Value(2)),
    output_field=IntegerField(),
)


def week_start_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def shifts_of_week(site_id: int, week_start: datetime.date) -> list[DutyShift]:
    """A site's shifts from Monday ``week_start`` through Sunday, in date and period order (one query)."""
    return list(
        DutyShift.objects.filter(
            site_id=site_id, date__gte=week_start, date__lt=week_start + datetime.timedelta(days=7)
        ).order_by("date", PERIOD_ORDER)
    )


def duty_on(site_ids: Iterable[int], day: datetime.date) -> dict[int, list[DutyShift]]:
    """Who is on duty at each of these sites on ``day``, in period order (one query): site id → shifts."""
    found: dict[int, list[DutyShift]] = {}
    shifts = DutyShift.objects.filter(site_id__in=list(site_ids), date=day).order_by("site_id", PERIOD_ORDER)
    for shift in shifts:
        found.setdefault(shift.site_id, []).append(shift)
    return found


def shift_get(site_id: int, pk: int) -> DutyShift | None:
    return DutyShift.objects.select_related("site").filter(site_id=site_id, pk=pk).first()


def swaps_of_week(site_id: int, week_start: datetime.date) -> QuerySet:
    """The swaps recorded on a week's shifts, newest first, with who approved them."""
    return (
        DutySwap.objects.filter(
            shift__site_id=site_id,
            shift__date__gte=week_start,
            shift__date__lt=week_start + datetime.timedelta(days=7),
        )
        .select_related("shift", "approved_by", "recorded_by")
        .order_by("-recorded_at", "-pk")
    )


def swap_approvers(site: Site) -> list[User]:
    """Who may approve a swap at the site: its centre administrators and those above it (one query)."""
    ancestors = [site.path[: index + 1] for index, char in enumerate(site.path) if char == "/" and index]
    return list(
        User.objects.filter(
            role_assignments__role=Role.CENTRE_ADMIN,
            role_assignments__is_active=True,
            role_assignments__site__path__in=ancestors,
        )
        .distinct()
        .order_by("full_name", "pk")
    )
