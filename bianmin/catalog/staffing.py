"""Where an item's steps happen and whether someone there can take them (the three tiers: 受理地, 镇, 县).

A step's tier (``ProcessStep.tier``) names the level of the site that does it, counted from the site that received
the application: the receiving site, its town hall or the county centre. ``tier_site`` is that site, for the case
services that open the steps and for the publication check here. ``missing_role_holders`` is the check: every step
after the intake, at every site where a case of the item can be received, needs someone holding its role there, or
the item is refused at publication with the role and the sites that lack it (an item nobody can finish must not
reach the public; supervision watches items published before the check, ``step_role_unheld``).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from bianmin.org.models import Delegation, Department, Role, RoleAssignment, Site, SiteLevel
from bianmin.org.selectors import is_department_wide

from .models import CaseType, ProcessStep, ServiceItemVersion, StepTier

WINDOW_ROLES = (Role.CLERK, Role.AGENT)


def tier_site(receiving: Site, tier: str) -> Site:
    """Where a step of this tier happens: the receiving site for its own tier, else its ancestor at the tier's level;
    the receiving site itself when it is at or above that level (a town's step of a case received at the county centre
    is done there). Walks ``parent``, so a caller with the sites in memory asks nothing."""
    if tier == StepTier.RECEIVING:
        return receiving
    site = receiving
    while site.level != tier and site.level != SiteLevel.COUNTY and site.parent_id:
        site = site.parent
    return site


def step_roles(role: str) -> tuple[str, ...]:
    """The roles that take a step of ``role``: a department head also takes a chief representative's step."""
    if role == Role.CHIEF_REPRESENTATIVE:
        return (Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD)
    return (role,)


class _Holders:
    """The active role assignments that can matter to one item, read once, answered in memory."""

    def __init__(self, department_ids: list[int]):
        self.assignments = list(
            RoleAssignment.objects.filter(is_active=True, user__is_active=True)
            .filter(Q(department_id__in=department_ids) | Q(role__in=WINDOW_ROLES))
            .select_related("site")
        )

    def at_window(self, role: str, site: Site) -> bool:
        """``permissions.can_complete_task`` for a clerk's or agent's step: at the site, or a town's covering it."""
        return any(
            a.role == role
            and a.site is not None
            and a.site.is_active
            and (a.site_id == site.pk or (a.site.level != SiteLevel.COUNTY and site.path.startswith(a.site.path)))
            for a in self.assignments
        )

    def for_department(self, roles: tuple[str, ...], department_id: int, site: Site) -> bool:
        """A department role's step: department-wide at the county, the town's reviewer held at that town."""
        county = site.level == SiteLevel.COUNTY
        return any(
            a.role in roles
            and a.department_id == department_id
            and (is_department_wide(a) if county else a.site_id == site.pk)
            for a in self.assignments
        )

    def can_step(self, role: str, department_id: int, site: Site) -> bool:
        if role in WINDOW_ROLES:
            return self.at_window(role, site)
        return self.for_department(step_roles(role), department_id, site)

    def can_decide(self, version: ServiceItemVersion, last: ProcessStep, department_id: int, site: Site) -> bool:
        """``permissions._can_decide``: the department head; a chief representative delegated to approve; an immediate
        item's clerk where its decision step (``last``) is a clerk's."""
        if version.case_type == CaseType.IMMEDIATE and last.role == Role.CLERK and self.at_window(Role.CLERK, site):
            return True
        if any(
            a.role == Role.DEPARTMENT_HEAD and a.department_id == department_id and is_department_wide(a)
            for a in self.assignments
        ):
            return True
        chiefs = [
            a.pk for a in self.assignments if a.role == Role.CHIEF_REPRESENTATIVE and a.department_id == department_id
        ]
        return any("approve" in d.decisions for d in Delegation.objects.filter(assignment_id__in=chiefs))


def receiving_sites(version: ServiceItemVersion) -> list[Site]:
    """The active sites where a case of the version can be received, their ancestors loaded (no query per site)."""
    sites = {site.pk: site for site in Site.objects.filter(is_active=True)}
    for site in sites.values():
        if site.parent_id in sites:
            site.parent = sites[site.parent_id]
    levels = version.accepting_level_list
    return sorted((site for site in sites.values() if site.level in levels), key=lambda site: site.path)


def missing_role_holders(version: ServiceItemVersion, department: Department) -> list[str]:
    """One sentence per step (and co-department) that some receiving site's case could not get past: who is missing
    where. Empty when every step has a holder wherever the item is received."""
    steps = list(version.steps.all())
    if not steps:
        return []
    co_departments = list(version.co_departments.all()) if version.case_type == CaseType.JOINT else []
    holders = _Holders([department.pk, *(d.pk for d in co_departments)])
    sites = receiving_sites(version)
    problems: list[str] = []
    roles = dict(Role.choices)
    # The first step of a process is the intake (受理): acceptance performs it (cases.services._open_tasks).
    first = 1 if len(steps) > 1 and steps[0].role in WINDOW_ROLES else 0
    for position, step in enumerate(steps, start=1):
        if position <= first:
            continue
        places = {tier_site(site, step.tier) for site in sites}
        if position == len(steps):
            lacking = [site for site in places if not holders.can_decide(version, step, department.pk, site)]
            role = Role.DEPARTMENT_HEAD
        else:
            lacking = [site for site in places if not holders.can_step(step.role, department.pk, site)]
            role = step.role
        if lacking:
            problems.append(
                _("Step %(position)d “%(step)s”: nobody holds the role “%(role)s” of %(department)s at %(sites)s.")
                % {
                    "position": position,
                    "step": step.name,
                    "role": roles[role],
                    "department": department.name,
                    "sites": "、".join(site.name for site in sorted(lacking, key=lambda site: site.path)),
                }
            )
    for co_department in co_departments:
        lacking = [
            site for site in sites if not holders.for_department((Role.DEPARTMENT_HEAD,), co_department.pk, site)
        ]
        if lacking:
            problems.append(
                _("Joint review: nobody holds the role “%(role)s” of %(department)s at %(sites)s.")
                % {
                    "role": roles[Role.DEPARTMENT_HEAD],
                    "department": co_department.name,
                    "sites": "、".join(site.name for site in lacking),
                }
            )
    return problems
