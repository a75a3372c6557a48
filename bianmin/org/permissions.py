"""Questions about the acting person's roles that the layers around org ask, answered from their ``Scope``: may they
use the staff pages, configure the platform, change the working-day calendar, supervise.

core asks two of them without importing org (core sits below it): ``OrgConfig.ready`` registers the answers there.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from bianmin.accounts.models import User

from .models import Role
from .selectors import user_scope


def staff_required(view):
    """The workbench is for people who hold at least one role (or superusers)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_superuser or user_scope(request.user).roles):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def holds_centre_admin(user: User) -> bool:
    """A centre administrator anywhere: configures the platform in the admin (core.admin_site)."""
    return Role.CENTRE_ADMIN in user_scope(user).roles


def holds_centre_admin_at_root(user: User) -> bool:
    """A centre administrator of the whole county: changes the working-day calendar (core.workdays)."""
    return user_scope(user).holds_at_root(Role.CENTRE_ADMIN)


def is_supervisor(user: User | None) -> bool:
    """Supervisors (and superusers) read everything in their jurisdiction and change no case."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.SUPERVISOR in user_scope(user).roles
