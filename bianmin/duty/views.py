"""The roster's week view for the site's centre administrator: set, remove and swap shifts, copy last week.

Thin: every change is a service of ``services.py``; the page shows its refusal as a message."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bianmin.accounts.models import User
from bianmin.core.dates import SHANGHAI
from bianmin.core.errors import DomainError
from bianmin.org.models import Site
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import site_get_for_user, sites_visible_to

from . import services
from .forms import ShiftForm, SwapForm
from .models import Period
from .selectors import shift_get, shifts_of_week, swap_approvers, swaps_of_week, week_start_of

DAY = datetime.timedelta(days=1)


def _roster_site(request, site_id: int) -> Site:
    """The site whose roster the person keeps: another place's site is not found, a site in sight but not kept by
    them is forbidden."""
    site = site_get_for_user(request.user, site_id)
    if site is None:
        raise Http404
    if not services.can_keep_roster(request.user, site):
        raise PermissionDenied
    return site


def _week(request) -> datetime.date:
    today = timezone.localdate(timezone.now(), SHANGHAI)
    try:
        day = datetime.date.fromisoformat(request.GET.get("week") or request.POST.get("week") or "")
    except ValueError:
        day = today
    return week_start_of(day)


def _approvers(site: Site) -> list[User]:
    return swap_approvers(site)


@staff_required
def roster_sites(request):
    """The sites whose roster the person keeps."""
    sites = [site for site in sites_visible_to(request.user) if services.can_keep_roster(request.user, site)]
    if not sites:
        raise PermissionDenied
    return TemplateResponse(request, "duty/sites.html", {"sites": sites})


@staff_required
def roster_week(request, site_id: int):
    site = _roster_site(request, site_id)
    week_start = _week(request)
    shifts = shifts_of_week(site.pk, week_start)
    days = []
    for offset in range(7):
        date = week_start + offset * DAY
        days.append({"date": date, "shifts": [shift for shift in shifts if shift.date == date]})
    return TemplateResponse(
        request,
        "duty/week.html",
        {
            "site": site,
            "week_start": week_start,
            "previous_week": week_start - 7 * DAY,
            "next_week": week_start + 7 * DAY,
            "days": days,
            "form": ShiftForm(initial={"date": week_start, "period": Period.DAY}),
            "swap_form": SwapForm(approvers=_approvers(site)),
            "swaps": swaps_of_week(site.pk, week_start),
        },
    )


def _back(site: Site, week_start: datetime.date) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('duty:week', args=[site.pk])}?week={week_start.isoformat()}")


def _refused(request, error: Exception) -> None:
    if isinstance(error, ValidationError):
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.error(request, error.message)


@require_POST
@staff_required
def shift_set(request, site_id: int):
    site = _roster_site(request, site_id)
    form = ShiftForm(request.POST)
    week_start = _week(request)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _back(site, week_start)
    data = form.cleaned_data
    try:
        services.shift_save(actor=request.user, site=site, **data)
    except (DomainError, ValidationError) as error:
        _refused(request, error)
    else:
        messages.success(request, _("The shift has been saved."))
    return _back(site, week_start_of(data["date"]))


@require_POST
@staff_required
def shift_remove(request, site_id: int, pk: int):
    site = _roster_site(request, site_id)
    shift = shift_get(site.pk, pk)
    if shift is None:
        raise Http404
    services.shift_remove(actor=request.user, shift=shift)
    messages.success(request, _("The shift has been removed."))
    return _back(site, week_start_of(shift.date))


@require_POST
@staff_required
def shift_swap(request, site_id: int, pk: int):
    site = _roster_site(request, site_id)
    shift = shift_get(site.pk, pk)
    if shift is None:
        raise Http404
    form = SwapForm(request.POST, approvers=_approvers(site))
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return _back(site, week_start_of(shift.date))
    try:
        services.shift_swap(actor=request.user, shift=shift, **form.cleaned_data)
    except (DomainError, ValidationError) as error:
        _refused(request, error)
    else:
        messages.success(request, _("The swap has been recorded."))
    return _back(site, week_start_of(shift.date))


@require_POST
@staff_required
def week_copy(request, site_id: int):
    site = _roster_site(request, site_id)
    week_start = _week(request)
    try:
        copied = services.shift_copy_week(actor=request.user, site=site, week_start=week_start)
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d shift was copied from the week before.",
                "%(count)d shifts were copied from the week before.",
                copied,
            )
            % {"count": copied},
        )
    return _back(site, week_start)
