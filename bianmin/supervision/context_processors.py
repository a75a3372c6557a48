from django.utils.functional import SimpleLazyObject

from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope


def supervision_nav(request) -> dict:
    """Whether the person supervises (the alerts' and orders' pages offer the supervisor's actions) and the unread
    count of the staff inbox (one indexed count). The menus themselves are the workbench's (workbench/menu.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_scope(user).roles
    if not (roles or user.is_superuser):
        return {}
    from .models import InboxMessage

    return {
        "is_supervisor": is_supervisor(user),
        # Counted only when a page shows it (not on an htmx partial).
        "unread_inbox": SimpleLazyObject(
            lambda: InboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }
