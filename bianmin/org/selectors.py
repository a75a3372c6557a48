"""Every read of organisation data that a permission limits goes through here (one door per model).

A user's *scope* is computed once per request from their active role assignments:
- clerk or agent at a town hall: that town and its village rooms; at a village room: that room;
  at a county-level site: that site only (towns' work reaches the county as escalated cases, later).
- chief representative or department head: their department's work across every site; held at a town hall (the
  town's reviewer, 镇分管领导): the cases with a review step of a department role at that town.
- centre administrator: the subtree of their site (the county root: everything), read and write.
- supervisor: the subtree of their site, read-only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast

from bianmin.accounts.models import User
from bianmin.core.models import AuditEvent

from .models import Delegation, Department, Role, RoleAssignment, Site, SiteLevel, Window

_SCOPE_CACHE_ATTRIBUTE = "_bianmin_scope"
DEPARTMENT_ROLES = frozenset({Role.CHIEF_REPRESENTATIVE, Role.DEPARTMENT_HEAD})


@dataclass(frozen=True)
class Scope:
    """The role facts of one user, from one query of their active role assignments (``user_scope``).

    Every question about the *acting* user's roles is answered here, in memory; questions about other people (who
    could do the next step, who leads a department) are selectors below.
    """

    everything: bool
    subtree_paths: tuple[str, ...]
    subtree_site_ids: frozenset[int]
    exact_site_ids: frozenset[int]
    department_ids: frozenset[int]
    roles: frozenset[str]
    can_write: bool
    # The active assignments themselves (site, department and window loaded), ordered by role, then id.
    assignments: tuple[RoleAssignment, ...] = ()
    # The town halls (or rooms) where the user holds a department role: they review there (cases/access.py).
    review_site_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything or self.subtree_paths or self.exact_site_ids or self.department_ids or self.review_site_ids
        )

    def site_filter(self, prefix: str = "") -> Q:
        """A Q over a Site relation (``prefix`` like "site__") matching the sites in scope."""
        if self.everything:
            return Q()
        condition = Q(**{f"{prefix}id__in": list(self.exact_site_ids)}) if self.exact_site_ids else Q(pk__in=[])
        for path in self.subtree_paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition

    def covers_site(self, site: Site) -> bool:
        """``site_filter`` for one site already in memory: no query."""
        if self.everything:
            return True
        return site.pk in self.exact_site_ids or any(site.path.startswith(path) for path in self.subtree_paths)

    def holds(self, role: str, *, department_id: int | None = None, site: Site | None = None) -> bool:
        """Holds ``role`` (for that department) (at exactly that site); the site's activity is not asked.

        A department role asked for a department without a site is the department-wide one (``is_department_wide``):
        a town's reviewer of the department is asked with the town (``site``)."""
        return any(
            assignment.role == role
            and (department_id is None or assignment.department_id == department_id)
            and (site is None or assignment.site_id == site.pk)
            and (site is not None or department_id is None or is_department_wide(assignment))
            for assignment in self.assignments
        )

    def holds_within(self, role: str, site: Site) -> bool:
        """Holds ``role`` at an active site anywhere in the subtree of ``site`` (the site itself included)."""
        return any(
            assignment.role == role
            and assignment.site is not None
            and assignment.site.is_active
            and assignment.site.path.startswith(site.path)
            for assignment in self.assignments
        )

    def holds_at_root(self, role: str) -> bool:
        """Holds ``role`` at the active county root (a whole-county role, e.g. the calendar's administrator)."""
        return any(
            assignment.role == role
            and assignment.site is not None
            and assignment.site.is_active
            and assignment.site.parent_id is None
            for assignment in self.assignments
        )

    def is_window_clerk(self, window: Window) -> bool:
        """Staffs that window as a clerk."""
        return any(a.role == Role.CLERK and a.window_id == window.pk for a in self.assignments)

    def departments_of(self, *roles: str) -> frozenset[int]:
        """The departments for which the user holds any of ``roles`` department-wide (not a town's reviewer's)."""
        return frozenset(
            a.department_id for a in self.assignments if a.role in roles and a.department_id and is_department_wide(a)
        )

    def sites_of(self, *roles: str, exclude: Iterable[str] = ()) -> list[Site]:
        """The active sites where the user holds any of ``roles`` (every role when none is given, less
        ``exclude``), in the order the assignments were made."""
        excluded = set(exclude)
        return [
            a.site
            for a in sorted(self.assignments, key=lambda assignment: assignment.pk)
            if a.site is not None and a.site.is_active and (not roles or a.role in roles) and a.role not in excluded
        ]


def is_department_wide(assignment: RoleAssignment) -> bool:
    """A role assignment without a site below the county: a department role held for the whole county (a chief
    representative's window is at a county site). A department role held at a town hall is that town's reviewer of
    the department (镇分管领导): their steps are the department's steps at that town (catalogue step tiers)."""
    return assignment.site is None or assignment.site.level == SiteLevel.COUNTY


EMPTY_SCOPE = Scope(False, (), frozenset(), frozenset(), frozenset(), frozenset(), False)


def user_scope(user: User) -> Scope:
    """What this user may see, from their active role assignments. Cached on the user object."""
    if not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, _SCOPE_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    setattr(user, _SCOPE_CACHE_ATTRIBUTE, scope)
    return scope


def _compute_scope(user: User) -> Scope:
    assignments = tuple(
        RoleAssignment.objects.filter(user=user, is_active=True)
        .select_related("site", "department", "window")
        .order_by("role", "pk")
    )
    if user.is_superuser:
        return Scope(True, (), frozenset(), frozenset(), frozenset(), frozenset(Role.values), True, assignments)
    subtree_paths: set[str] = set()
    subtree_site_ids: set[int] = set()
    exact_site_ids: set[int] = set()
    department_ids: set[int] = set()
    review_site_ids: set[int] = set()
    roles: set[str] = set()
    can_write = False
    everything = False
    for assignment in assignments:
        roles.add(assignment.role)
        site = assignment.site
        if assignment.role != Role.SUPERVISOR:
            can_write = True
        if assignment.role in DEPARTMENT_ROLES and not is_department_wide(assignment):
            if site.is_active:
                review_site_ids.add(site.pk)
            continue
        if assignment.department_id:
            department_ids.add(assignment.department_id)
        if site is None or not site.is_active or assignment.role in DEPARTMENT_ROLES:
            # A chief representative sees what the head of the same department sees: the department's work
            # wherever it is, not every department's cases at the site of their window.
            continue
        if assignment.role in (Role.SUPERVISOR, Role.CENTRE_ADMIN) or site.level != SiteLevel.COUNTY:
            subtree_paths.add(site.path)
            subtree_site_ids.add(site.pk)
            everything = everything or site.parent_id is None
        else:
            exact_site_ids.add(site.pk)
    return Scope(
        everything,
        tuple(sorted(subtree_paths)),
        frozenset(subtree_site_ids),
        frozenset(exact_site_ids),
        frozenset(department_ids),
        frozenset(roles),
        can_write,
        assignments,
        frozenset(review_site_ids),
    )


def sites_visible_to(user: User) -> QuerySet[Site]:
    scope = user_scope(user)
    if scope.is_empty:
        return Site.objects.none()
    return Site.objects.filter(scope.site_filter()).select_related("parent")


def site_get_for_user(user: User, pk: int) -> Site | None:
    """One site, or None when it does not exist or lies outside the user's scope (callers answer 404)."""
    return sites_visible_to(user).filter(pk=pk).first()


def windows_visible_to(user: User) -> QuerySet[Window]:
    scope = user_scope(user)
    if scope.is_empty:
        return Window.objects.none()
    return (
        Window.objects.filter(scope.site_filter("site__"))
        .select_related("site")
        .prefetch_related(Prefetch("departments", queryset=Department.objects.order_by("code")))
    )


def staff_visible_to(user: User, *, include_inactive: bool = False) -> QuerySet[RoleAssignment]:
    """Role assignments at the sites or departments in the user's scope."""
    scope = user_scope(user)
    if scope.is_empty:
        return RoleAssignment.objects.none()
    condition = scope.site_filter("site__")
    if not scope.everything and scope.department_ids:
        condition |= Q(department_id__in=list(scope.department_ids))
    assignments = RoleAssignment.objects.filter(condition)
    if not include_inactive:
        assignments = assignments.filter(is_active=True)
    return assignments.select_related("user", "site", "department", "window").order_by(
        "site__path", "role", "user__username"
    )


def site_directory() -> QuerySet[Site]:
    """The public directory of active sites: addresses, hours and phones are public information."""
    return Site.objects.filter(is_active=True).select_related("parent").order_by("path")


def assignments_of(user: User) -> tuple[RoleAssignment, ...]:
    """The user's active role assignments (site, department and window loaded), from their scope."""
    return user_scope(user).assignments


def delegation_covers(*, user: User, department: Department, decision: str, item_code: str, on: datetime.date) -> bool:
    """Whether the user, as the department's chief representative, may take this decision on this item (首席代表制)."""
    assignment_ids = [
        assignment.pk
        for assignment in user_scope(user).assignments
        if assignment.role == Role.CHIEF_REPRESENTATIVE and assignment.department_id == department.pk
    ]
    if not assignment_ids:
        return False
    delegations = Delegation.objects.filter(assignment_id__in=assignment_ids)
    return any(d.covers(decision=decision, item_code=item_code, on=on) for d in delegations)


# --- Other people's roles: who could take a step, who answers for a department ------------------------------------


def department_role_holders(department_ids: Iterable[int], *, roles: Iterable[str]) -> dict[int, set[int]]:
    """Active holders (active users) of ``roles`` per department id, in one query: {department_id: {user_id, …}}."""
    holders: dict[int, set[int]] = {}
    rows = (
        RoleAssignment.objects.filter(
            department_id__in=set(department_ids), role__in=list(roles), is_active=True, user__is_active=True
        )
        .filter(Q(site__isnull=True) | Q(site__level=SiteLevel.COUNTY))
        .values_list("department_id", "user_id")
    )
    for department_id, user_id in rows:
        holders.setdefault(department_id, set()).add(user_id)
    return holders


def window_staff_ids(window: Window) -> QuerySet[RoleAssignment]:
    """The ids of the people with an active role at a window, as a subquery (``.values("user_id")``)."""
    return RoleAssignment.objects.filter(window=window, is_active=True).values("user_id")


# --- Whom a person administers: the power over accounts (org.services.require_power_over) -----------------------


@dataclass(frozen=True)
class Administration:
    """Where a person is a centre administrator: the whole county, or the subtrees of some sites."""

    everything: bool
    paths: tuple[str, ...]

    @property
    def is_administrator(self) -> bool:
        return self.everything or bool(self.paths)

    def covers(self, path: str | None) -> bool:
        """Whether a site (by its materialised path; None for a department-wide role) lies in this subtree."""
        if self.everything:
            return True
        return path is not None and any(path.startswith(prefix) for prefix in self.paths)


NO_ADMINISTRATION = Administration(False, ())


def administration_of(user: User | None) -> Administration:
    """The subtrees a user administers, from their active centre-administrator assignments only.

    Not from ``Scope.subtree_paths``: a Scope merges the paths of every role, so a centre
    administrator of one town who is also a clerk of another would administer both.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ADMINISTRATION
    if user.is_superuser:
        return Administration(True, ())
    sites = RoleAssignment.objects.filter(
        user=user, role=Role.CENTRE_ADMIN, is_active=True, site__is_active=True
    ).values_list("site__path", "site__parent_id")
    paths = tuple(sorted(path for path, _parent in sites))
    return Administration(any(parent is None for _path, parent in sites), paths)


def accounts_administered_by(user: User):
    """The accounts a centre administrator sees in the admin: everyone for the whole county; otherwise those with an
    active role in one of their subtrees, and the accounts holding no role that they created (a new member of staff
    before the first role; ``services.require_power_over``). Another town's staff, applicants' accounts and the
    inspecting bodies' are "not found", as every other record of another town is."""
    administration = administration_of(user)
    if administration.everything:
        return User.objects.all()
    if not administration.is_administrator:
        return User.objects.none()
    active = RoleAssignment.objects.filter(user=OuterRef("pk"), is_active=True)
    in_subtree = Q()
    for path in administration.paths:
        in_subtree |= Q(site__path__startswith=path)
    created = accounts_created_by(user).filter(object_id=Cast(OuterRef("pk"), CharField()))
    return User.objects.filter(
        Q(Exists(active.filter(in_subtree))) | (~Q(Exists(active)) & Q(Exists(created))), is_superuser=False
    )


def accounts_created_by(actor: User) -> QuerySet[AuditEvent]:
    """The audited creations (``user.create``) of accounts by ``actor``: the account's id is the ``object_id``."""
    return AuditEvent.objects.filter(object_type=User._meta.label_lower, action="user.create", actor=actor)
