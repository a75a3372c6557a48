"""Who may supervise: supervisors (and superusers) read everything in their jurisdiction and change no case."""

from __future__ import annotations

from bianmin.accounts.models import User
from bianmin.org.models import Role
from bianmin.org.selectors import user_scope


def is_supervisor(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Role.SUPERVISOR in user_scope(user).roles
