"""Every write to the organisation: one function each, permission-checked, audited, in one transaction.

The power over accounts lives here too (issue "Safe to deploy"): nobody edits an account with more power than their
own, and that power is a matter of roles. A superuser may change anyone; a centre administrator changes only
accounts whose roles all lie in the subtree they administer, never a superuser, another centre administrator or a
supervisor; nobody changes their own roles or access flags. An account holding no role (an applicant's online
account, an inspector of the inspecting bodies, a former member of staff) is the whole county's administrators', and
a town's administrator's only if they created it (their new member of staff, before the first role): otherwise a
town's administrator could reset a citizen's or an inspector's password, or give them a role in order to.
``require_power_over`` answers it for the account writes below (``user_save``, ``password_reset``) and for roles and
delegations alike.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.accounts.services import password_set, password_validate
from bianmin.core.audit import audit_record
from bianmin.core.errors import PermissionDenied

from .models import Delegation, Department, Role, RoleAssignment, Site, Window
from .selectors import accounts_created_by, administration_of

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
    if (
        not assignments
        and target.pk is not None
        and not administration.everything
        and not accounts_created_by(actor).filter(object_id=str(target.pk)).exists()
    ):
        raise PermissionDenied(_("An account holding no role is managed by the county's centre administrators."))


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


def require_org_admin(actor: User | None, site: Site | None = None) -> None:
    """Only a centre administrator (for the site's subtree) or a superuser configures the organisation.

    ``actor=None`` is a trusted caller: a management command run by an operator on the server.
    """
    if actor is None or actor.is_superuser:
        return
    administration = administration_of(actor)
    if not administration.is_administrator:
        raise PermissionDenied(_("Only a centre administrator may change the organisation."))
    if site is not None and not administration.covers(site.path or site.compute_path()):
        raise PermissionDenied(_("This site is outside your jurisdiction."))


def require_role_power(actor: User | None, user: User, role: str, site: Site | None) -> None:
    """Who may grant or revoke a role (issue "Safe to deploy"): nobody their own; the centre-administrator and
    supervisor roles only a superuser; otherwise a centre administrator with power over the person, at a site in
    their subtree (a department-wide role: a whole-county administrator)."""
    if actor is None:
        return
    if user.pk == actor.pk:
        raise PermissionDenied(_("Nobody may grant themself a role or change their own roles."))
    if role in SUPERUSER_ONLY_ROLES and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser may grant or revoke the centre administrator or supervisor role."))
    require_power_over(actor, user)
    require_org_admin(actor, site)
    if site is None and not administration_of(actor).everything:
        raise PermissionDenied(_("This site is outside your jurisdiction."))


def _validated(instance) -> None:
    instance.full_clean()


def _changes(instance, fields) -> dict:
    return {field: str(getattr(instance, field)) for field in fields}


# Called with the ids of every site whose path changed, in the transaction that moved them: what is indexed by
# a site's ancestors (the cases' access keys) follows at once. Registered by the apps that keep such indexes.
_site_move_handlers: list[Callable[[list[int]], None]] = []


def register_site_move_handler(handler: Callable[[list[int]], None]) -> None:
    if handler not in _site_move_handlers:
        _site_move_handlers.append(handler)


@transaction.atomic
def site_save(*, site: Site, actor: User | None) -> Site:
    """Create or update a site; keeps the materialised path of it and its whole subtree in step."""
    require_org_admin(actor, site.parent if site.parent_id else None)
    is_new = site.pk is None
    old_path = None
    if not is_new:
        old_path = Site.objects.select_for_update().values_list("path", flat=True).get(pk=site.pk)
    site.path = site.compute_path()
    _validated(site)
    site.save()
    if old_path and old_path != site.path:
        moved = [site.pk]
        for descendant in Site.objects.select_for_update().filter(path__startswith=old_path).exclude(pk=site.pk):
            descendant.path = site.path + descendant.path[len(old_path) :]
            descendant.save(update_fields=["path"])
            moved.append(descendant.pk)
        for handler in _site_move_handlers:
            handler(moved)
    audit_record(
        actor=actor,
        action="site.create" if is_new else "site.update",
        obj=site,
        payload=_changes(site, ["code", "name", "level", "kind", "path", "is_active"]),
    )
    return site


@transaction.atomic
def department_save(*, department: Department, actor: User | None) -> Department:
    require_org_admin(actor)
    is_new = department.pk is None
    _validated(department)
    department.save()
    audit_record(
        actor=actor,
        action="department.create" if is_new else "department.update",
        obj=department,
        payload=_changes(department, ["code", "name", "is_licensing", "is_active"]),
    )
    return department


@transaction.atomic
def window_save(*, window: Window, departments: list[Department], actor: User | None) -> Window:
    require_org_admin(actor, window.site)
    is_new = window.pk is None
    _validated(window)
    window.save()
    window.departments.set(departments)
    audit_record(
        actor=actor,
        action="window.create" if is_new else "window.update",
        obj=window,
        payload={
            **_changes(window, ["number", "name", "is_active"]),
            "site": window.site.code,
            "departments": sorted(d.code for d in departments),
        },
    )
    return window


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    user: User,
    role: str,
    site: Site | None = None,
    department: Department | None = None,
    window: Window | None = None,
    badge_number: str = "",
) -> RoleAssignment:
    """Give a person a role at a site and/or department, at a window with their badge number (挂牌上岗);
    re-activates an earlier identical assignment."""
    require_role_power(actor, user, role, site)
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(user=user, role=role, site=site, department=department)
        .first()
    ) or RoleAssignment(user=user, role=role, site=site, department=department)
    assignment.window = window
    assignment.badge_number = badge_number.strip()
    assignment.is_active = True
    _validated(assignment)
    assignment.save()
    audit_record(
        actor=actor,
        action="role.assign",
        obj=assignment,
        payload={
            "user": user.username,
            "role": role,
            "site": site.code if site else None,
            "department": department.code if department else None,
            "window": window.number if window else None,
            "badge_number": assignment.badge_number,
        },
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor: User | None, assignment: RoleAssignment) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",)).select_related("user", "site").get(pk=assignment.pk)
    )
    require_role_power(actor, assignment.user, assignment.role, assignment.site)
    assignment.is_active = False
    assignment.save(update_fields=["is_active"])
    audit_record(actor=actor, action="role.revoke", obj=assignment, payload={"user": assignment.user.username})
    return assignment


@transaction.atomic
def delegation_grant(
    *,
    actor: User,
    assignment: RoleAssignment,
    decisions: list[str],
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    item_codes: list[str] | None = None,
    document_number: str = "",
) -> Delegation:
    """Plan 二(四) 首席代表制: record what a chief representative may decide at the window, and until when.

    Granted by the department's head or a centre administrator with power over the representative, never to
    oneself.
    """
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user", "site", "department")
        .get(pk=assignment.pk)
    )
    if actor is not None and assignment.user_id == actor.pk:
        raise PermissionDenied(_("Nobody may grant themself a delegation."))
    require_power_over(actor, assignment.user, department=assignment.department)
    heads_department = (
        actor is not None
        and RoleAssignment.objects.filter(
            user=actor, role=Role.DEPARTMENT_HEAD, department_id=assignment.department_id, is_active=True
        ).exists()
    )
    if not heads_department:
        require_org_admin(actor, assignment.site)
    delegation = Delegation(
        assignment=assignment,
        decisions=sorted(set(decisions)),
        item_codes=item_codes or [],
        valid_from=valid_from,
        valid_to=valid_to,
        granted_by=actor,
        document_number=document_number,
    )
    _validated(delegation)
    delegation.save()
    audit_record(
        actor=actor,
        action="delegation.grant",
        obj=delegation,
        payload={
            "assignment": assignment.pk,
            "decisions": delegation.decisions,
            "item_codes": delegation.item_codes,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "document_number": document_number,
        },
    )
    return delegation


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
        password_validate(temporary_password, locked)
    password_set(locked, temporary_password, temporary=True, actor=actor, action="user.password_reset")
    user.password, user.must_change_password = locked.password, True
    return temporary_password


def _rejections(password: str, user: User) -> bool:
    try:
        password_validation.validate_password(password, user)
    except ValidationError:
        return True
    return False
