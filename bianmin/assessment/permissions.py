"""Who defines, runs and publishes schemes (the county's centre administrators), who reads every result
(supervisors too), and who is a result's subject (may read it and object)."""

from __future__ import annotations

from bianmin.accounts.models import User
from bianmin.org.models import Role
from bianmin.org.selectors import user_scope

from .models import SubjectKind


def can_manage_assessment(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_scope(user).holds_at_root(Role.CENTRE_ADMIN)


def can_read_all_results(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if can_manage_assessment(user):
        return True
    return user_scope(user).holds_at_root(Role.SUPERVISOR)


def subject_ids_of(user: User, subject_kind: str) -> set[int]:
    """The subjects whose results ``user`` answers for: themselves; their window (clerk); their department (head or
    chief representative); their site (its centre administrator)."""
    scope = user_scope(user)
    if subject_kind == SubjectKind.STAFF:
        return {user.pk}
    if subject_kind == SubjectKind.WINDOW:
        return {a.window_id for a in scope.assignments if a.role == Role.CLERK and a.window_id}
    if subject_kind == SubjectKind.DEPARTMENT:
        return set(scope.departments_of(Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE))
    return {a.site_id for a in scope.assignments if a.role == Role.CENTRE_ADMIN and a.site_id}
