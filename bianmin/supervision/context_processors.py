from django.utils.functional import SimpleLazyObject

from bianmin.org.models import Role
from bianmin.org.permissions import is_supervisor
from bianmin.org.selectors import user_scope

from .selectors.monitor import can_monitor


def supervision_nav(request) -> dict:
    """The workbench's supervision links and the unread count of the staff inbox (one indexed count).

    ``watches_cases``: the monitor, alerts, orders and statistics (supervisors and centre administrators for
    their jurisdiction, department heads and chief representatives for their departments).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_scope(user).roles
    if not (roles or user.is_superuser):
        return {}
    from .models import InboxMessage

    return {
        "is_supervisor": is_supervisor(user),
        "watches_cases": can_monitor(user),
        "is_centre_admin": user.is_superuser or Role.CENTRE_ADMIN in roles,
        # Counted only when a page shows it (not on an htmx partial).
        "unread_inbox": SimpleLazyObject(
            lambda: InboxMessage.objects.filter(recipient=user, read_at__isnull=True).count()
        ),
    }
