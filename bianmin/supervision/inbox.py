"""The staff inbox: every alert and order reaches its people here, and by SMS/e-mail through the outbox."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q

from bianmin.accounts.models import User
from bianmin.core.notify import notify
from bianmin.org.models import Role
from bianmin.org.selectors import department_role_holders

from .models import Alert, InboxMessage, SupervisionOrder

# Who answers for a department: its head and its chief representatives.
DEPARTMENT_LEADS = (Role.DEPARTMENT_HEAD, Role.CHIEF_REPRESENTATIVE)


def department_leads(department_ids: Iterable[int], *, roles: Iterable[str] = DEPARTMENT_LEADS) -> dict[int, set[int]]:
    """Active holders of ``roles`` per department id, in one query: {department_id: {user_id, …}}."""
    return department_role_holders(department_ids, roles=roles)


def inbox_send(
    *,
    recipient_ids: Iterable[int],
    subject: str,
    body: str = "",
    url: str = "",
    now: datetime.datetime,
    alert: Alert | None = None,
    order: SupervisionOrder | None = None,
    text_message: bool = True,
) -> list[InboxMessage]:
    """Write one inbox message per recipient (in the caller's transaction) and, with ``text_message``, queue an
    SMS/e-mail to each recipient's phone/e-mail through the outbox (sent after commit)."""
    ids = sorted(set(recipient_ids))
    messages = InboxMessage.objects.bulk_create(
        [
            InboxMessage(
                recipient_id=user_id, alert=alert, order=order, subject=subject, body=body, url=url, created_at=now
            )
            for user_id in ids
        ]
    )
    if text_message:
        for person in User.objects.filter(pk__in=ids).filter(~Q(phone="") | ~Q(email="")).only("phone", "email"):
            notify(
                phone=person.phone,
                email=person.email,
                subject=subject,
                body=body,
                obj=alert or order,
                event="supervision",
            )
    return messages
