"""Every write to one's own account: the password, proved with the current one. An administrator's writes to an
account (its fields, a temporary password) and to roles and delegations are in org.services, because who may touch
an account depends on the roles it holds (``org.services.require_power_over``).

Rule (issue "Safe to deploy"): nobody sets their own password without giving the current one.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError

from .models import User


class PasswordWrong(DomainError):
    code = "password_wrong"


class PasswordRejected(DomainError):
    """The new password fails AUTH_PASSWORD_VALIDATORS; ``messages`` holds each validator's reason."""

    code = "password_rejected"

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def password_validate(password: str, user: User) -> None:
    """Refuse a password that fails AUTH_PASSWORD_VALIDATORS, with each validator's reason."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise PasswordRejected([str(message) for message in error.messages]) from error


def password_set(locked: User, password: str, *, temporary: bool, actor: User | None, action: str) -> None:
    """Store ``password`` (hashed) on the locked row, flag a temporary one, and record the event: it says that the
    password changed and whether it is temporary, never the password or its hash."""
    locked.set_password(password)
    locked.must_change_password = temporary
    locked.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        payload={"username": locked.username, "password_changed": True, "temporary": temporary},
    )


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    """A person changes their own password, proving it with the current one; clears a forced reset."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.check_password(current_password):
        raise PasswordWrong(_("The current password is wrong. Nothing was changed."))
    if new_password == current_password:
        raise PasswordRejected([_("The new password must differ from the current one.")])
    password_validate(new_password, locked)
    password_set(locked, new_password, temporary=False, actor=locked, action="user.password_change")
    user.password, user.must_change_password = locked.password, False
    return user
