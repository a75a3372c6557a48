from bianmin.org.models import Role
from bianmin.org.selectors import user_scope

from .permissions import is_supervisor

# Staff who answer supervision orders for their department.
ORDER_RESPONDER_ROLES = {Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE}


def supervision_nav(request) -> dict:
    """The workbench's supervision links and the unread count of the staff inbox (one indexed count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_scope(user).roles
    if not (roles or user.is_superuser):
        return {}
    from .models import InboxMessage

    return {
        "is_supervisor": is_supervisor(user),
        "answers_orders": bool(roles & ORDER_RESPONDER_ROLES),
        "unread_inbox": InboxMessage.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
