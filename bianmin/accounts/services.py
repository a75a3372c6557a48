"""Every write to an account: its fields, its password. Roles and delegations are written in org.services,
which asks ``require_power_over`` here the same question: may this actor touch this account at all?

Rule (issue "Safe to deploy"): nobody edits an account with more power than their own. A superuser may
change anyone; a centre administrator changes only accounts whose roles all lie in the subtree they
administer, never a superuser, another centre administrator or a supervisor; nobody changes their own
roles or access flags, and nobody sets their own password without giving the current one.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.org.models import Department, Role, RoleAssignment

from .models import User
from .selectors import administration_of

# Never written into the audit payload.
_SECRET_FIELDS = {"password", "password1", "password2"}
# What decides a person's access: only a superuser changes another's superuser flag, and nobody their own.
ACCESS_FLAGS = ("is_superuser", "is_staff", "is_active")
_NEW_ACCOUNT_FLAGS = {"is_superuser": False, "is_staff": False, "is_active": True}
# Roles only a superuser grants or revokes, and whose holders only a superuser manages.
SUPERUSER_ONLY_ROLES = frozenset({Role.CENTRE_ADMIN, Role.SUPERVISOR})
# Letters and digits that cannot be mistaken for one another when read out over the phone.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_PASSWORD_LENGTH = 12


class PasswordWrong(DomainError):
    code = "password_wrong"


class PasswordRejected(DomainError):
    """The new password fails AUTH_PASSWORD_VALIDATORS; ``messages`` holds each validator's reason."""

    code = "password_rejected"

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def require_power_over(actor: User | None, target: User, *, department: Department | None = None) -> None:
    """Refuse unless ``actor`` may change ``target``'s account, password, roles or delegations.

    ``actor=None`` is a trusted caller (a management command run by an operator on the server). The target's
    stored state decides, not an edited copy in memory. ``department``: a department head also has power
    over the people of their department (the delegations of its chief representatives).
    """
    if actor is None or actor.is_superuser:
        return
    if target.pk is not None and target.pk == actor.pk:
        return  # Oneself: the services limit what one may change of oneself (roles, flags, password).
    assignments = []
    if target.pk is not None:
        if User.objects.filter(pk=target.pk, is_superuser=True).exists():
            raise PermissionDenied(_("Only a superuser may change a superuser's account."))
        assignments = list(RoleAssignment.objects.filter(user_id=target.pk, is_active=True).select_related("site"))
    if any(assignment.role in SUPERUSER_ONLY_ROLES for assignment in assignments):
        raise PermissionDenied(_("Only a superuser may change the account of a centre administrator or a supervisor."))
    if (
        department is not None
        and RoleAssignment.objects.filter(
            user=actor, role=Role.DEPARTMENT_HEAD, department=department, is_active=True
        ).exists()
    ):
        return
    administration = administration_of(actor)
    if not administration.is_administrator:
        raise PermissionDenied(_("Only a centre administrator may manage staff accounts."))
    if not all(administration.covers(a.site.path if a.site_id else None) for a in assignments):
        raise PermissionDenied(_("This account holds a role outside your jurisdiction."))


def _require_not_self(actor: User | None, target: User, message: str) -> None:
    if actor is not None and target.pk is not None and target.pk == actor.pk:
        raise PermissionDenied(message)


@transaction.atomic
def user_save(*, user: User, actor: User | None, changed_fields: list[str]) -> User:
    """Create or change an account; the audit event names the changed fields, never a password.

    The password of an account an administrator creates is temporary (``must_change_password``).
    """
    is_new = user.pk is None
    stored = _NEW_ACCOUNT_FLAGS
    if not is_new:
        row = User.objects.select_for_update().get(pk=user.pk)
        stored = {flag: getattr(row, flag) for flag in ACCESS_FLAGS}
    require_power_over(actor, user)
    changed_flags = {flag for flag in ACCESS_FLAGS if getattr(user, flag) != stored[flag]}
    if changed_flags and not is_new:
        _require_not_self(actor, user, _("Nobody may change their own superuser, staff or active status."))
    if "is_superuser" in changed_flags and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may make or unmake a superuser."))
    changed = set(changed_fields) | changed_flags
    if is_new and actor is not None and user.has_usable_password():
        user.must_change_password = True  # the administrator who typed it knows it: a temporary password
    user.save()
    audit_record(
        actor=actor,
        action="user.create" if is_new else "user.update",
        obj=user,
        payload={
            "username": user.username,
            "changed": sorted(changed - _SECRET_FIELDS),
            "password_changed": bool(changed & _SECRET_FIELDS),
        },
    )
    return user


def _validated_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise PasswordRejected([str(message) for message in error.messages]) from error


def _password_set(locked: User, password: str, *, temporary: bool, actor: User | None, action: str) -> None:
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
    _validated_password(new_password, locked)
    _password_set(locked, new_password, temporary=False, actor=locked, action="user.password_change")
    user.password, user.must_change_password = locked.password, False
    return user


def temporary_password_generate() -> str:
    return "".join(secrets.choice(_TEMPORARY_ALPHABET) for _index in range(TEMPORARY_PASSWORD_LENGTH))


@transaction.atomic
def password_reset(*, actor: User | None, user: User, temporary_password: str | None = None) -> str:
    """An administrator sets a temporary password; the user must choose their own at the next login.

    Whoever sets another person's password knows it, so it is always temporary. Returns the temporary
    password (generated when none is given) for the administrator to pass on; it is stored only hashed.
    """
    require_power_over(actor, user)
    _require_not_self(actor, user, _("Change your own password on your password page, with your current password."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if temporary_password is None:
        temporary_password = temporary_password_generate()
        while _rejections(temporary_password, locked):
            temporary_password = temporary_password_generate()
    else:
        _validated_password(temporary_password, locked)
    _password_set(locked, temporary_password, temporary=True, actor=actor, action="user.password_reset")
    user.password, user.must_change_password = locked.password, True
    return temporary_password


def _rejections(password: str, user: User) -> bool:
    try:
        password_validation.validate_password(password, user)
    except ValidationError:
        return True
    return False
