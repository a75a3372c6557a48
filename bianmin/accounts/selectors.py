"""Reads about accounts that a permission limits: whom a person administers."""

from __future__ import annotations

from dataclasses import dataclass

from bianmin.org.models import Role, RoleAssignment

from .models import User


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

    Not from ``org.selectors.Scope.subtree_paths``: a Scope merges the paths of every role, so a centre
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
    active role in one of their subtrees, and those holding no role at all (applicants). Another town's staff are
    "not found", as every other record of another town is."""
    from django.db.models import Exists, OuterRef, Q

    administration = administration_of(user)
    if administration.everything:
        return User.objects.all()
    if not administration.is_administrator:
        return User.objects.none()
    active = RoleAssignment.objects.filter(user=OuterRef("pk"), is_active=True)
    in_subtree = Q()
    for path in administration.paths:
        in_subtree |= Q(site__path__startswith=path)
    return User.objects.filter(Q(Exists(active.filter(in_subtree))) | ~Q(Exists(active)), is_superuser=False)
