"""The hall's big screen (电子显示屏) and the small screen above each window (窗口屏): public pages that refresh
themselves. Figures come from the daily statistics, never from a scan of the cases; people are shown as the
public may see them (staff by name and badge: 挂牌上岗; applicants masked)."""

from __future__ import annotations

from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from bianmin.cases.models import Case
from bianmin.core.dates import SHANGHAI
from bianmin.duty.selectors import duty_on
from bianmin.ratings.selectors import rating_figures
from bianmin.statistics.selectors import site_figures

from .selectors import public_site, public_window, results_page, windows_with_staff

RECENT_RESULTS = 12
REFRESH_SECONDS = 30


def _site(code: str):
    site = public_site(code)
    if site is None:
        raise Http404
    return site


def hall_screen_context(site) -> dict:
    now = timezone.now()
    today = timezone.localdate(now, SHANGHAI)
    windows = windows_with_staff(site.pk)
    return {
        "site": site,
        "now": now,
        "today": today,
        "figures": site_figures(site.pk, today, today),
        # This month's 好评率 of the ratings given at this site (only the ratings: the screen counts no cases).
        "good_rate": rating_figures(start=today.replace(day=1), end=today, cases=Case.objects.none(), site_id=site.pk)[
            0
        ].good_rate,
        "windows": windows,
        "open_windows": sum(1 for window in windows if window.staff_on_duty),
        "duty": duty_on([site.pk], today).get(site.pk, []),
        "results": results_page(site_id=site.pk, size=RECENT_RESULTS)[0],
        "refresh_seconds": REFRESH_SECONDS,
    }


def hall_screen(request, code: str):
    """The whole screen at 1920×1080; its body reloads itself from ``hall_screen_panel`` every half minute."""
    return TemplateResponse(request, "portal/screens/hall.html", hall_screen_context(_site(code)))


def hall_screen_panel(request, code: str):
    """The screen's changing part alone, for its poll (htmx); when a poll fails the screen keeps what it shows."""
    return TemplateResponse(request, "portal/screens/_hall_panel.html", hall_screen_context(_site(code)))


def window_screen_context(site, number: str) -> dict:
    window = public_window(site, number)
    if window is None:
        raise Http404
    return {
        "site": site,
        "window": windows_with_staff(site.pk, window_id=window.pk)[0],
        "now": timezone.now(),
        "refresh_seconds": REFRESH_SECONDS,
    }


def window_screen(request, code: str, number: str):
    """The screen above one window: its number, departments and the staff member on duty, or 暂停服务."""
    return TemplateResponse(request, "portal/screens/window.html", window_screen_context(_site(code), number))


def window_screen_panel(request, code: str, number: str):
    return TemplateResponse(request, "portal/screens/_window_panel.html", window_screen_context(_site(code), number))
