"""Who may see and work the outbound queue and the webhooks: they hold the whole deployment's data (every town's
cases, applicants included), so only people who hold their role at the county's root site. Centre administrators
of the county (and superusers) manage them; the county's supervisors read them."""

from __future__ import annotations

from bianmin.accounts.models import User
from bianmin.org.models import Role
from bianmin.org.selectors import user_scope


def _holds_at_root(user: User, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        a.role == role and a.site is not None and a.site.is_active and a.site.parent_id is None
        for a in user_scope(user).assignments
    )


def may_manage_interconnect(user: User) -> bool:
    return _holds_at_root(user, Role.CENTRE_ADMIN)


def may_read_interconnect(user: User) -> bool:
    return may_manage_interconnect(user) or _holds_at_root(user, Role.SUPERVISOR)
