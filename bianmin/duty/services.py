"""Every write to the duty roster: one function per change, each with its permission check, row lock and audit
event in one transaction. The site's centre administrator (or one above it) keeps the roster."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.org.models import Site
from bianmin.org.selectors import administration_of

from .models import DutyShift, DutySwap, Period

WEEK = datetime.timedelta(days=7)


def can_keep_roster(user: User | None, site: Site) -> bool:
    """Who keeps a site's roster: a superuser, or a centre administrator whose subtree holds the site."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or administration_of(user).covers(site.path)


def _require_roster_keeper(actor: User | None, site: Site) -> None:
    # actor None: a trusted caller (a management command, the demo loader).
    if actor is not None and not can_keep_roster(actor, site):
        raise PermissionDenied(_("Only the site's centre administrator may change its duty roster."))


def _check_slot(site: Site, date: datetime.date, period: str, *, exclude: int | None = None) -> None:
    """A whole-day shift and a half-day shift of the same date cannot both stand."""
    clashing = [Period.MORNING, Period.AFTERNOON] if period == Period.DAY else [Period.DAY]
    others = DutyShift.objects.filter(site=site, date=date, period__in=clashing)
    if exclude:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise DomainError(
            _("This date already has a shift for another part of the day; remove it first."), code="duty_slot_taken"
        )


@transaction.atomic
def shift_save(
    *,
    actor: User | None,
    site: Site,
    date: datetime.date,
    period: str,
    cadre_name: str,
    phone: str,
    title: str = "",
    note: str = "",
) -> DutyShift:
    """Set the cadre on duty for one slot of a site's roster (the plan, 二(二): 干部值班), replacing what was there."""
    _require_roster_keeper(actor, site)
    shift = DutyShift.objects.select_for_update().filter(site=site, date=date, period=period).first()
    is_new = shift is None
    if is_new:
        _check_slot(site, date, period)
        shift = DutyShift(site=site, date=date, period=period)
    shift.cadre_name, shift.phone, shift.title, shift.note = cadre_name.strip(), phone.strip(), title.strip(), note
    shift.full_clean()
    shift.save()
    audit_record(
        actor=actor,
        action="duty.shift_set" if is_new else "duty.shift_change",
        obj=shift,
        payload={"site": site.code, "date": date.isoformat(), "period": period, "cadre": shift.cadre_name},
    )
    return shift


@transaction.atomic
def shift_remove(*, actor: User | None, shift: DutyShift) -> None:
    """Take a shift off the roster."""
    _require_roster_keeper(actor, shift.site)
    locked = DutyShift.objects.select_for_update().get(pk=shift.pk)
    audit_record(
        actor=actor,
        action="duty.shift_remove",
        obj=locked,
        payload={"site": shift.site.code, "date": locked.date.isoformat(), "period": locked.period},
    )
    locked.delete()


@transaction.atomic
def shift_copy_week(*, actor: User | None, site: Site, week_start: datetime.date) -> int:
    """Copy the previous week's shifts into the week starting ``week_start`` (a Monday), day by day; slots already
    set in the target week are kept. Returns the number of shifts copied."""
    _require_roster_keeper(actor, site)
    if week_start.weekday() != 0:
        raise DomainError(_("A week starts on a Monday."), code="invalid_input")
    Site.objects.select_for_update().get(pk=site.pk)  # one copy of a site's week at a time
    target = DutyShift.objects.filter(site=site, date__gte=week_start, date__lt=week_start + WEEK)
    taken = {(shift.date, shift.period) for shift in target}
    copies = []
    for shift in DutyShift.objects.filter(site=site, date__gte=week_start - WEEK, date__lt=week_start):
        date = shift.date + WEEK
        if _slot_taken(taken, date, shift.period):
            continue
        copies.append(
            DutyShift(
                site=site,
                date=date,
                period=shift.period,
                cadre_name=shift.cadre_name,
                title=shift.title,
                phone=shift.phone,
                note=shift.note,
            )
        )
    DutyShift.objects.bulk_create(copies)
    audit_record(
        actor=actor,
        action="duty.week_copy",
        obj=site,
        payload={"week": week_start.isoformat(), "copied": len(copies)},
    )
    return len(copies)


def _slot_taken(taken: set[tuple[datetime.date, str]], date: datetime.date, period: str) -> bool:
    """Whether the target week already covers this slot: the same period, or a whole day against a half-day."""
    if period == Period.DAY:
        return any(day == date for day, _period in taken)
    return (date, period) in taken or (date, Period.DAY) in taken


@transaction.atomic
def shift_swap(
    *,
    actor: User | None,
    shift: DutyShift,
    cadre_name: str,
    phone: str,
    approved_by: User,
    reason: str,
    now: datetime.datetime | None = None,
) -> DutySwap:
    """Hand a shift to another cadre (换班), recorded with the reason and the administrator who approved it."""
    _require_roster_keeper(actor, shift.site)
    if not can_keep_roster(approved_by, shift.site):
        raise DomainError(_("A swap is approved by a centre administrator of the site."), code="duty_swap_approver")
    if not reason.strip():
        raise DomainError(_("Give the reason for the swap."), code="invalid_input")
    locked = DutyShift.objects.select_for_update().select_related("site").get(pk=shift.pk)
    swap = DutySwap(
        shift=locked,
        previous_name=locked.cadre_name,
        previous_phone=locked.phone,
        new_name=cadre_name.strip(),
        new_phone=phone.strip(),
        reason=reason.strip(),
        approved_by=approved_by,
        recorded_by=actor,
        recorded_at=now or timezone.now(),
    )
    locked.cadre_name, locked.phone = swap.new_name, swap.new_phone
    locked.full_clean()
    locked.save(update_fields=["cadre_name", "phone"])
    swap.save()
    audit_record(
        actor=actor,
        action="duty.shift_swap",
        obj=locked,
        payload={
            "from": swap.previous_name,
            "to": swap.new_name,
            "approved_by": approved_by.pk,
            "reason": swap.reason,
        },
        occurred_at=swap.recorded_at if now else None,
    )
    return swap
