from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from bianmin.core.admin_site import is_configuration_admin
from bianmin.core.dates import SHANGHAI
from bianmin.duty.selectors import duty_on
from bianmin.duty.services import can_keep_roster
from bianmin.inspection.access import inspector_group_ids
from bianmin.org.models import Department, Role
from bianmin.org.permissions import staff_required
from bianmin.org.selectors import (
    assignments_of,
    site_get_for_user,
    sites_visible_to,
    staff_visible_to,
    user_scope,
    windows_visible_to,
)


def _duty_today(user, scope) -> list[dict]:
    """Today's cadres on duty at the sites where the person works (the workbench's small box); one query."""
    sites = list({site.pk: site for site in scope.sites_of(Role.CLERK, Role.AGENT, Role.CENTRE_ADMIN)}.values())
    if not sites:
        return []
    found = duty_on([site.pk for site in sites], timezone.localdate(timezone.now(), SHANGHAI))
    return [
        {"site": site, "shifts": found.get(site.pk, []), "keeps_roster": can_keep_roster(user, site)} for site in sites
    ]


def _scope_departments(scope) -> list[Department]:
    """The departments whose cases the person follows at every site (department heads, chief representatives)."""
    if scope.everything or not scope.department_ids:
        return []
    return list(Department.objects.filter(pk__in=sorted(scope.department_ids)).order_by("code").only("name"))


def workbench_home(request):
    # An inspector of the inspecting bodies (纪委, 政府办 …) may hold no role here: their workbench is the inspection.
    user = request.user
    if user.is_authenticated and not user.is_superuser and not user_scope(user).roles and inspector_group_ids(user):
        return HttpResponseRedirect(reverse("inspection:home"))
    return _staff_home(request)


@staff_required
def _staff_home(request):
    scope = user_scope(request.user)
    return TemplateResponse(
        request,
        "workbench/home.html",
        {
            "assignments": assignments_of(request.user),
            "scope": scope,
            # A head holds a department, not a site: "0 sites" beside their to-dos said they saw nothing.
            "site_count": sites_visible_to(request.user).count(),
            "scope_departments": _scope_departments(scope),
            "is_configuration_admin": is_configuration_admin(request.user),
            "duty_today": _duty_today(request.user, scope),
        },
    )


@staff_required
def site_list(request):
    scope = user_scope(request.user)
    context = {"sites": sites_visible_to(request.user), "scope_departments": _scope_departments(scope)}
    return TemplateResponse(request, "workbench/sites.html", context)


@staff_required
def site_detail(request, pk: int):
    site = site_get_for_user(request.user, pk)
    if site is None:
        raise Http404
    return TemplateResponse(
        request,
        "workbench/site_detail.html",
        {
            "site": site,
            "windows": windows_visible_to(request.user).filter(site=site),
            "staff": staff_visible_to(request.user).filter(site=site),
        },
    )
