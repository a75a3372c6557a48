import datetime
from urllib.parse import quote

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.catalog.models import Topic
from bianmin.core.dates import SHANGHAI
from bianmin.core.errors import DomainError
from bianmin.core.workdays import add_workdays
from bianmin.duty.selectors import duty_on
from bianmin.org.models import Department, Site, SiteLevel
from bianmin.org.selectors import site_directory
from bianmin.ratings.selectors import month_bounds, rating_figures
from bianmin.statistics.selectors import site_figures

from .forms import DeadlineForm
from .selectors import items_handled_at, public_site, site_counter_staff, windows_with_staff


def _tiers(sites) -> dict:
    counts = {level: 0 for level in SiteLevel.values}
    for site in sites:
        counts[site.level] += 1
    return counts


def portal_home(request):
    sites = list(site_directory())
    return TemplateResponse(
        request,
        "portal/home.html",
        {
            "tier_counts": _tiers(sites),
            "towns": [s for s in sites if s.level == SiteLevel.TOWN],
            "topics": Topic.objects.all(),
        },
    )


def site_list(request):
    """The public directory: every active site with address, hours and phone, as a tree."""
    sites = list(site_directory())
    children: dict[int | None, list] = {}
    for site in sites:
        children.setdefault(site.parent_id, []).append(site)
    for site in sites:
        site.child_list = children.get(site.pk, [])
    return TemplateResponse(request, "portal/sites.html", {"roots": children.get(None, [])})


def deadline_calculator(request):
    """ALL art. 82: show a citizen the last day of a time limit counted in working days."""
    form = DeadlineForm(request.GET or None)
    result = error = None
    if form.is_valid():
        try:
            result = add_workdays(form.cleaned_data["start"], form.cleaned_data["days"])
        except DomainError as exc:
            error = exc.message
    template = "portal/_deadline_result.html" if request.htmx else "portal/deadline.html"
    return render(request, template, {"form": form, "result": result, "error": error})


def _published_month(request) -> datetime.date:
    """The month asked for (``?month=YYYY-MM``), else the last full month; never a month still running."""
    today = timezone.localdate()
    this_month = datetime.date(today.year, today.month, 1)
    last_full = (this_month - datetime.timedelta(days=1)).replace(day=1)
    try:
        asked = datetime.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return last_full
    return min(asked, last_full)


def rating_results(request):
    """好差评 published monthly (国办发〔2019〕51号: 评价结果公开): the standard's rates per department and per site; no
    person is named and no rating is shown."""
    month = _published_month(request)
    start, end = month_bounds(month.year, month.month)
    # A past month's figures, kept for a few minutes: the page is public, and its 未评率 counts the month's closed
    # cases (about 28,000 at a county's volume, three aggregates).
    figures = cache.get_or_set(
        f"portal:ratings:{month:%Y-%m}", lambda: _published_figures(start, end), PUBLISHED_FIGURES_SECONDS
    )
    titles = {"department": _("By department"), "site": _("By site")}
    context = {
        "month": month,
        "start": start,
        "end": end,
        "sections": [{"title": titles[by], "rows": rows} for by, rows in figures["sections"]],
        "total": figures["total"],
        "previous": (month - datetime.timedelta(days=1)).replace(day=1),
    }
    return TemplateResponse(request, "portal/ratings.html", context)


PUBLISHED_FIGURES_SECONDS = 600


def _published_figures(start: datetime.date, end: datetime.date) -> dict:
    sections = []
    for by in ("department", "site"):
        rows = rating_figures(start=start, end=end, by=by)
        names = _dimension_names(by, [row.key for row in rows])
        sections.append((by, [{"name": names.get(row.key, "—"), "f": row} for row in rows]))
    return {"sections": sections, "total": rating_figures(start=start, end=end)[0]}


def _dimension_names(by: str, keys: list) -> dict:
    model = Department if by == "department" else Site
    return dict(model.objects.filter(pk__in=[key for key in keys if key is not None]).values_list("pk", "name"))


def site_page(request, code: str):
    """A site's public page: where and when, the items handled there (and which are relayed), who serves and who is
    the cadre on duty today, this month's figures."""
    site = public_site(code)
    if site is None:
        raise Http404
    today = timezone.localdate(timezone.now(), SHANGHAI)
    windows = windows_with_staff(site.pk)
    items = items_handled_at(site)
    return TemplateResponse(
        request,
        "portal/site.html",
        {
            "site": site,
            "today": today,
            "windows": windows,
            "counter_staff": [] if windows else site_counter_staff(site.pk),
            "duty": duty_on([site.pk], today).get(site.pk, []),
            "items": items,
            "relayed_count": sum(1 for item in items if item.is_relayed),
            "month": site_figures(site.pk, today.replace(day=1), today),
            "month_start": today.replace(day=1),
            "map_url": _map_url(site),
        },
    )


def _map_url(site) -> str:
    """A link to the site on a public map: its coordinates when known, else its address searched."""
    if site.latitude is not None and site.longitude is not None:
        return f"https://uri.amap.com/marker?position={site.longitude},{site.latitude}&name={quote(site.name)}"
    if site.address:
        return f"https://uri.amap.com/search?keyword={quote(site.address)}"
    return ""
