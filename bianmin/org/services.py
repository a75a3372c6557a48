"""Every write to the organisation: one function each, permission-checked, audited, in one transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.accounts.selectors import administration_of
from bianmin.accounts.services import SUPERUSER_ONLY_ROLES, require_power_over
from bianmin.core.audit import audit_record
from bianmin.core.errors import PermissionDenied

from .models import Delegation, Department, Role, RoleAssignment, Site, Window


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
) -> RoleAssignment:
    """Give a person a role at a site and/or department; re-activates an earlier identical assignment."""
    require_role_power(actor, user, role, site)
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(user=user, role=role, site=site, department=department)
        .first()
    ) or RoleAssignment(user=user, role=role, site=site, department=department)
    assignment.window = window
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
