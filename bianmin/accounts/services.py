from __future__ import annotations

from django.db import transaction

from bianmin.core.audit import audit_record

from .models import User

# Never written into the audit payload.
_SECRET_FIELDS = {"password", "password1", "password2"}


@transaction.atomic
def user_save(*, user: User, actor: User | None, changed_fields: list[str]) -> User:
    """Create or change an account; the audit event names the changed fields, never a password."""
    is_new = user.pk is None
    user.save()
    audit_record(
        actor=actor,
        action="user.create" if is_new else "user.update",
        obj=user,
        payload={
            "username": user.username,
            "changed": sorted(set(changed_fields) - _SECRET_FIELDS),
            "password_changed": bool(set(changed_fields) & _SECRET_FIELDS),
        },
    )
    return user
