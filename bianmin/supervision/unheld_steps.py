"""The rule ``step_role_unheld``: an open step of a case that nobody can take where it is.

A step is done by the holder of its role at the site of its tier (catalogue step tiers, ``cases.permissions
.can_complete_task``). The catalogue refuses to publish an item whose steps lack a holder somewhere
(``catalog.staffing``), but an item published before that check, or a holder who left since, leaves cases that would
stall in silence: each such open step is an alert for the site's centre administrator, who assigns the role. The
alert closes itself when someone holds the role there or the step is done.
"""

from __future__ import annotations

from django.db.models import CharField, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Value

from bianmin.cases.models import ReviewTask, Status
from bianmin.org.models import Role, RoleAssignment, SiteLevel

WINDOW_ROLES = (Role.CLERK, Role.AGENT)
DEPARTMENT_ROLES = (Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD)
# An open step of a case whose clock runs or is paused: a suspended case still needs its step taken afterwards.
WAITING = (Status.ACCEPTED, Status.SUSPENDED)


def _holders() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(is_active=True, user__is_active=True)


def _held() -> Q:
    """The step has someone who may take it (``can_complete_task``; the decision: ``permissions._can_decide``)."""
    # A clerk or agent of the step's site, or of the town hall above a village room (their scope covers it).
    window = Exists(
        _holders().filter(
            Q(site_id=OuterRef("site_id")) | Q(site_id=OuterRef("site__parent_id"), site__level=SiteLevel.TOWN),
            role=OuterRef("role"),
        )
    )
    # The department's own role (a head also takes a chief representative's step), county-wide or at the town.
    department_role = _holders().filter(
        Q(role=OuterRef("role")) | Q(role=Role.DEPARTMENT_HEAD), department_id=OuterRef("department_id")
    )
    county_wide = Q(site__isnull=True) | Q(site__level=SiteLevel.COUNTY)
    head = Exists(_holders().filter(county_wide, role=Role.DEPARTMENT_HEAD, department_id=OuterRef("department_id")))
    at_county = Q(site__level=SiteLevel.COUNTY)
    return (
        (Q(is_decision=True) & (head | (Q(role=Role.CLERK) & window)))
        | (Q(is_decision=False, role__in=WINDOW_ROLES) & window)
        | (Q(is_decision=False, role__in=DEPARTMENT_ROLES) & at_county & Exists(department_role.filter(county_wide)))
        | (
            Q(is_decision=False, role__in=DEPARTMENT_ROLES)
            & ~at_county
            & Exists(department_role.filter(site_id=OuterRef("site_id")))
        )
    )


GROUP = ("is_decision", "role", "site_id", "department_id")


def group_firsts() -> QuerySet:
    """The first open step of each group."""
    return (
        ReviewTask.objects.filter(state=ReviewTask.State.OPEN)
        .order_by()
        .values(*GROUP)
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )


def _unheld_groups() -> Q:
    """The steps of the groups nobody holds. Whether a step is held depends only on its group (decision or not,
    role, site, department), and the open steps of a county fall into a hundred or so groups: the holders are looked
    up for one step of each (the holders' subqueries for each of 80,000 steps took 1.5 s on PostgreSQL), over the
    partial index of the open steps' groups (``task_open_group_idx``)."""
    groups = Q(pk__isnull=True)  # no group: no step (a condition that compiles, unlike an empty IN)
    for group in ReviewTask.objects.filter(pk__in=group_firsts()).exclude(_held()).values_list(*GROUP):
        groups |= Q(**dict(zip(GROUP, group, strict=True)))
    return groups


def unheld_steps(memo: dict | None = None) -> QuerySet[ReviewTask]:
    """The waiting steps nobody can take (the groups read once a sweep, kept in the sweep's ``memo``)."""
    memo = {} if memo is None else memo
    if "unheld_groups" not in memo:
        memo["unheld_groups"] = _unheld_groups()
    groups = memo["unheld_groups"]
    return ReviewTask.objects.filter(groups, state=ReviewTask.State.OPEN, case__status__in=WAITING)


def unheld_step_causes(key, memo: dict) -> QuerySet:
    """Each open step nobody can take, for the centre administrator of its site (the rule's alert columns)."""
    return unheld_steps(memo).annotate(
        a_key=key(),
        a_case=F("case_id"),
        a_task=F("pk"),
        a_order=Value(None, output_field=IntegerField()),
        a_site=F("site_id"),
        a_department=F("department_id"),
        a_item=F("case__item_id"),
        a_role=Value(Role.CENTRE_ADMIN, output_field=CharField()),
        a_due=F("due"),
    )


def unheld_step_remains(memo: dict) -> Exists:
    return Exists(unheld_steps(memo).filter(pk=OuterRef("task_id")))
