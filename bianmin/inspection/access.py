"""Who may do what in the inspection: the questions the services, selectors and pages ask (one place)."""

from __future__ import annotations

from bianmin.accounts.models import User
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import administration_of, user_scope

from .models import InspectorMembership, Round, RoundSite, RoundState


def is_county_administrator(user: User | None) -> bool:
    """Centre administrators of the whole county (and superusers) keep the sheets, groups and rounds."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or administration_of(user).everything


def inspector_group_ids(user: User | None) -> frozenset[int]:
    """The inspector groups the account is an active member of (one query, cached on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_inspection_groups", None)
    if cached is None:
        cached = frozenset(
            InspectorMembership.objects.filter(user=user, is_active=True).values_list("group_id", flat=True)
        )
        user._inspection_groups = cached
    return cached


def reads_every_round(user: User | None) -> bool:
    """County administrators and supervisors read every round, its ranking and every site's result."""
    return is_county_administrator(user) or is_supervisor(user)


def may_score(user: User | None, round_site: RoundSite) -> bool:
    """An inspector of the group the site is assigned to (or a superuser) scores it."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or round_site.group_id in inspector_group_ids(user)


def sees_round(user: User | None, round_: Round) -> bool:
    if reads_every_round(user):
        return True
    groups = inspector_group_ids(user)
    return bool(groups) and round_.sites.filter(group_id__in=groups).exists()


def sees_round_site(user: User | None, round_site: RoundSite) -> bool:
    """Readers of every round and the site's inspectors; the site's own staff (a town's staff: its rooms too) once
    the round's results are published."""
    if reads_every_round(user) or may_score(user, round_site):
        return True
    return (
        user is not None
        and round_site.round.state == RoundState.PUBLISHED
        and user_scope(user).covers_site(round_site.site)
    )


def may_rectify(user: User | None, site) -> bool:
    """The site's own staff rectify its items (a supervisor only reads)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = user_scope(user)
    return scope.can_write and scope.covers_site(site)


def uses_inspection(user: User | None) -> bool:
    """Whether the inspection's home answers: staff holding a role, and inspectors."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or bool(user_scope(user).roles) or bool(inspector_group_ids(user))
