"""首问负责制 (first-inquiry responsibility): the first staff member asked logs the inquiry and owns it until
it is answered or handed over, on record, to a named colleague and/or a department.

Writes: ``inquiry_log``, ``inquiry_answer``, ``inquiry_handover`` (one transaction and one audit event each).
Reads: ``inquiries_owned_by`` (the open inquiries a user must answer), ``inquiries_answered_by`` and
``inquiry_get_for_owner``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.accounts.models import User
from bianmin.core.audit import audit_record
from bianmin.core.errors import DomainError, PermissionDenied
from bianmin.org.models import Department, Role, Site
from bianmin.org.selectors import staff_visible_to, user_scope

from .models import Inquiry


def _is_staff(user: User | None) -> bool:
    """Staff who may act: a superuser, or anyone holding a role that is not read-only (supervisors are)."""
    if user is None or not user.is_active:
        return False
    return user.is_superuser or user_scope(user).can_write


def _require_staff(actor: User | None) -> None:
    if not _is_staff(actor):
        raise PermissionDenied(_("Only staff members log and handle inquiries."))


def _is_owner(user: User, inquiry: Inquiry) -> bool:
    """The named owner; when it was handed to a department only, any of that department's staff."""
    if inquiry.owner_id is not None:
        return inquiry.owner_id == user.pk
    return inquiry.owner_department_id is not None and inquiry.owner_department_id in user_scope(user).department_ids


def _require_open_and_owned(actor: User, inquiry: Inquiry) -> None:
    if inquiry.state != Inquiry.State.OPEN:
        raise DomainError(_("This inquiry was already answered."), code="inquiry_closed")
    if not _is_owner(actor, inquiry):
        raise PermissionDenied(_("Only the staff member who owns this inquiry may answer it or hand it over."))


def _audit(actor: User, action: str, inquiry: Inquiry, **payload) -> None:
    audit_record(actor=actor, action=f"inquiry.{action}", obj=inquiry, payload={"state": inquiry.state, **payload})


@transaction.atomic
def inquiry_log(
    *, actor: User, asked_by: str, question: str, site: Site, contact: str = "", now: datetime.datetime | None = None
) -> Inquiry:
    """首问负责制: the staff member first asked records who asked what, and owns the inquiry from now on."""
    _require_staff(actor)
    if not asked_by.strip() or not question.strip():
        raise DomainError(_("Record who asked and what they asked."), code="inquiry_incomplete")
    inquiry = Inquiry.objects.create(
        asked_by=asked_by.strip(),
        contact=contact.strip(),
        question=question.strip(),
        site=site,
        logged_by=actor,
        logged_at=now or timezone.now(),
        owner=actor,
    )
    _audit(actor, "log", inquiry, site=site.code)
    return inquiry


@transaction.atomic
def inquiry_answer(*, actor: User, inquiry: Inquiry, answer: str, now: datetime.datetime | None = None) -> Inquiry:
    """The owner answers the inquiry; it is closed."""
    _require_staff(actor)
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    _require_open_and_owned(actor, inquiry)
    if not answer.strip():
        raise DomainError(_("Write the answer given."), code="inquiry_answer_missing")
    inquiry.state = Inquiry.State.ANSWERED
    inquiry.answer = answer.strip()
    inquiry.answered_at = now or timezone.now()
    if inquiry.owner_id is None:
        inquiry.owner = actor  # a department's member answered: they are on record as its last owner
    inquiry.save(update_fields=["state", "answer", "answered_at", "owner"])
    _audit(actor, "answer", inquiry)
    return inquiry


def _check_handover_target(actor: User, to_user: User | None, to_department: Department | None) -> None:
    if to_user is None and to_department is None:
        raise DomainError(
            _("Choose the colleague or the department that takes the inquiry over."), code="handover_target_missing"
        )
    if to_user is not None and (to_user.pk == actor.pk or not _is_staff(to_user)):
        raise DomainError(_("Hand the inquiry over to another staff member."), code="handover_target_invalid")
    if to_department is not None and not to_department.is_active:
        raise DomainError(_("This department is no longer active."), code="handover_target_invalid")


@transaction.atomic
def inquiry_handover(
    *,
    actor: User,
    inquiry: Inquiry,
    to_user: User | None = None,
    to_department: Department | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Inquiry:
    """首问负责制: the owner hands the inquiry over on record; the colleague (or the department) owns it now."""
    _require_staff(actor)
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    _require_open_and_owned(actor, inquiry)
    _check_handover_target(actor, to_user, to_department)
    record = {
        "who": actor.get_username(),
        "who_name": actor.get_full_name(),
        "when": (now or timezone.now()).isoformat(),
        "to_user": to_user.get_username() if to_user else None,
        "to_user_name": to_user.get_full_name() if to_user else "",
        "to_department": to_department.code if to_department else None,
        "to_department_name": to_department.name if to_department else "",
        "note": note.strip(),
    }
    inquiry.handovers = [*inquiry.handovers, record]
    inquiry.owner = to_user
    inquiry.owner_department = to_department
    inquiry.save(update_fields=["handovers", "owner", "owner_department"])
    _audit(
        actor,
        "handover",
        inquiry,
        to_user=record["to_user"],
        to_department=record["to_department"],
        note=record["note"],
    )
    return inquiry


# --- Reads ---------------------------------------------------------------------------------------------------


def _owned_condition(user: User) -> Q:
    """Named as owner, or handed to one of the user's departments (``_is_owner`` as a filter)."""
    condition = Q(owner=user)
    departments = list(user_scope(user).department_ids)
    if departments:
        condition |= Q(owner__isnull=True, owner_department_id__in=departments)
    return condition


def inquiry_get_for_handler(user: User, pk: int) -> Inquiry | None:
    """An inquiry the user owns, open or answered; None for anybody else's (callers answer 404)."""
    return Inquiry.objects.filter(_owned_condition(user), pk=pk).first()


def inquiries_owned_by(user: User) -> QuerySet[Inquiry]:
    """Open inquiries the user must answer: named as owner, or handed to one of their departments."""
    return (
        Inquiry.objects.filter(_owned_condition(user), state=Inquiry.State.OPEN)
        .select_related("site", "logged_by", "owner_department")
        .order_by("logged_at", "pk")
    )


def inquiries_answered_by(user: User) -> QuerySet[Inquiry]:
    """Answered inquiries the user logged or answered, the latest answer first (the log page's "recently answered")."""
    return (
        Inquiry.objects.filter(Q(logged_by=user) | Q(owner=user), state=Inquiry.State.ANSWERED)
        .select_related("site", "logged_by", "owner", "owner_department")
        .order_by("-answered_at", "-pk")
    )


def inquiry_get_for_owner(user: User, pk: int) -> Inquiry | None:
    return inquiries_owned_by(user).filter(pk=pk).first()


def handover_candidates(user: User) -> QuerySet[User]:
    """Colleagues in the user's scope who may take an inquiry over (read-only supervisors excluded)."""
    user_ids = staff_visible_to(user).exclude(role=Role.SUPERVISOR).exclude(user=user).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name", "username")


def inquiry_site_for(user: User) -> Site | None:
    """Where the user is asked: the site of their first site-based role, else the county centre."""
    sites = user_scope(user).sites_of(exclude=[Role.SUPERVISOR])
    if sites:
        return sites[0]
    return Site.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()
