from django.shortcuts import render
from django.template.response import TemplateResponse

from bianmin.catalog.models import Topic
from bianmin.core.errors import DomainError
from bianmin.core.workdays import add_workdays
from bianmin.org.models import SiteLevel
from bianmin.org.selectors import site_directory

from .forms import DeadlineForm


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
